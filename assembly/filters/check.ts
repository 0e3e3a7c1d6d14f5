// The diagnostics object (schema in the README). Only what is wrong is written, so a clean
// record carries no diagnostics key at all.
import { putAscii, putByte } from "../abi/writer";
import { putInt, putUint } from "../core/digits";
import { checkKey, driftThresholdMs, spanThresholdMs } from "../config/config";
import { CriStatus } from "../core/cri";
import { TimeStatus, timeStatusName } from "../core/time";
import { copyStringBody } from "../core/json";
import { LogScan } from "./log-scan";
import { writeMember } from "../abi/member";
import { RecordFacts } from "./record";

// @ts-ignore: decorator
@lazy let open: bool = false;

/**
 * Starts a field: `{` or `,`, then `member`, the field's text up to its value (`"partial":true`
 * whole, `"raw_lines":` before a number): one copy per field.
 */
function field(member: string): void {
  if (!open) { writeMember(checkKey); putByte(0x7b); open = true; } else putByte(0x2c);
  putAscii(member);
}

function stringField(member: string, value: string): void {
  field(member); putAscii(value); putByte(0x22);
}

/** The status of a line that starts with a time but is not a whole CRI line. */
function criStatusName(s: CriStatus): string {
  if (s == CriStatus.NoStream) return "no_stream";
  if (s == CriStatus.BadStream) return "bad_stream";
  return "no_tag"; // the one status left once the time parsed
}

/** a / b rounded toward negative infinity (b > 0). */
function floorDiv(a: i64, b: i64): i64 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

export function putCheck(f: RecordFacts, s: LogScan, ok: bool, status: TimeStatus, sec: i64, nsec: i32, eventSec: u32, eventNsec: u32, eventTimeRange: bool): void {
  open = false;
  if (!ok) stringField("\"time_error\":\"", status == TimeStatus.Empty ? (f.hasLog || f.hasTime ? "no_time" : "no_log") : timeStatusName(status));
  if (f.hasLog) {
    if (s.hasTime && !s.isCri) stringField("\"not_cri\":\"", criStatusName(s.criStatus));
    if (f.unknownTag) field("\"unknown_tag\":true");
    // Tags after the first (`P:TAG1:TAG2`): no runtime known writes them, but the CRI API allows
    // them, and `_p` holds only the first; they stay visible here.
    if (s.isCri && s.moreTagsStart != 0) {
      field("\"other_tags\":\""); copyStringBody(s.moreTagsStart, s.moreTagsEnd, true); putByte(0x22);
    }
    if (f.partial) field("\"partial\":true");
    if (f.gluedRaw) { field("\"raw_lines\":"); putUint(<u64>s.criLines); }
    if (f.severalMessages) { field("\"messages\":"); putUint(<u64>s.messageStarts); }
    if (f.gluedRaw || f.severalMessages) {
      field("\"lines\":"); putUint(<u64>s.lines);
      field("\"bytes\":"); putUint(<u64>f.logBytes());
    }
    if (f.mixedStreams) field("\"mixed_streams\":true");
    if (f.gluedRaw && s.maxMs - s.minMs > spanThresholdMs) { field("\"span_ms\":"); putInt(s.maxMs - s.minMs); }
    if (f.continuationStart) field("\"continuation_start\":true");
  }
  if (eventTimeRange) field("\"event_time_out_of_range\":true");
  if (ok) {
    // Event time minus recovered time: the late or stuck timestamp symptom.
    // In whole milliseconds, truncated toward zero, without forming the nanosecond total: for a
    // time near year 1 it passes i64.
    const ds: i64 = <i64>eventSec - sec, dn: i64 = <i64>eventNsec - <i64>nsec;
    const driftMs: i64 = ds > 0 || (ds == 0 && dn >= 0) ? ds * 1000 + floorDiv(dn, 1000000) : ds * 1000 - floorDiv(-dn, 1000000);
    if (driftMs >= driftThresholdMs || -driftMs >= driftThresholdMs) { field("\"drift_ms\":"); putInt(driftMs); }
  }
  if (open) putByte(0x7d);
}

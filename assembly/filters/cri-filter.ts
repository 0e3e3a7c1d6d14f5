// The CRI time filter: recovers the time a container runtime wrote each line, writes it where the
// next stage takes it, splits raw CRI lines as Fluent Bit's `cri` parser would, mends lines a
// multiline parser glued together, and reports multiline defects in one diagnostics key.
//
// It runs on the one-pass runner (sdk/pass.ts): the runner copies every member the filter does
// not own (mended into valid JSON) and notes the ones it reads; the filter then decides what to
// write and appends it. Nothing allocates: the state is in static structs, and all text stays
// where Fluent Bit put it.
import { outPos, putByte, putBytes } from "../abi/writer";
import { Span, idKey, kube, kubeKey, logKey, rawKey, repairGlued, splitRaw, streamKey, tagKey, timestampKey, eventTimeKey } from "../config/config";
import { CriHeader, CriStatus, Stream, mayStartHeader, parseCriHeader } from "../core/cri";
import { putRfc3339Utc } from "../core/format-time";
import { copyStringBody, copyStringBodyFrom } from "../core/json";
import { ParsedTime, TimeStatus, parseRfc3339 } from "../core/time";
import { lineTextEnd, nextLine } from "../core/lines";
import { writeMember } from "../abi/member";
import { CopiedRecord } from "../sdk/pass";
import { Verdict } from "../sdk/run";
import { putCheck } from "./check";
import { Key, Mode } from "./cri-plan";
import { putKubeMetadata } from "./kube";
import { putRecordId } from "./record-id";
import { LogScan, gluedMessage, scanLog } from "./log-scan";
import { RecordFacts, facts } from "./record";

/** Writes the message text of `log`: the first line's header and glued headers removed. */
function putMessage(f: RecordFacts, s: LogScan): void {
  const split = splitRaw && s.isCri;
  const p = split ? s.message : f.logStart;
  let end = f.logEnd;
  // The `cri` parser's message stops before the line break.
  if (split) end = lineTextEnd(p, end);
  if (!(repairGlued && f.gluedRaw)) { copyStringBodyFrom(p, end, f.logClean); return; }
  let line = p;
  let k = 0; // the next glued line scanLog() kept
  const reparse = s.gluedOverflow();
  while (line < end) {
    const next = nextLine(line, end);
    let from = line;
    if (line != p) {
      const kept = gluedMessage(s, k, line);
      if (kept != 0) { from = kept; k++; } // keep only the message
      else if (reparse && mayStartHeader(line, next) && parseCriHeader(line, lineTextEnd(line, next), GLUED) == CriStatus.Ok) from = GLUED.message;
    }
    copyStringBody(from, next, true);
    line = next;
  }
}

/** `"key":"<text>"`, the text mended (it is the inside of a string Fluent Bit wrote). */
function putStringMember(key: Span, from: usize, to: usize): void {
  writeMember(key); putByte(0x22); copyStringBody(from, to, true); putByte(0x22);
}

function putTimeMember(key: Span, sec: i64, nsec: i32): void {
  writeMember(key); putByte(0x22); putRfc3339Utc(sec, nsec); putByte(0x22);
}

/**
 * The CRI filter, once the runner copied every member it does not own: recovers the time,
 * writes `log` (split, mended), the time keys, the metadata, the record id and the diagnostics.
 */
export function criFilter(r: CopiedRecord): Verdict {
  const mode = r.variant;
  const writesTimestamp = (mode & Mode.Timestamp) != 0;
  const writesEventTime = (mode & Mode.EventTime) != 0;
  const rewrites = (mode & Mode.Rewrite) != 0;
  const checks = (mode & Mode.Check) != 0;
  const f = facts;
  f.read(r);

  // The time: the time key first (records from the cri/docker parsers), else the start of `log`.
  const s = LOG;
  if (f.hasLog) scanLog(f.logStart, f.logEnd, f.logClean, s);
  f.analyse(s);
  let status = TimeStatus.Empty;
  let sec: i64 = 0, nsec: i32 = 0;
  if (f.hasTime) {
    const n = <i32>(f.timeEnd - f.timeStart);
    status = parseRfc3339(f.timeStart, n, TIME);
    if (status == TimeStatus.Ok && TIME.len != n) status = TimeStatus.BadSyntax;
    sec = TIME.sec; nsec = TIME.nsec;
  }
  if (status != TimeStatus.Ok && f.hasLog && s.hasTime) {
    status = TimeStatus.Ok; sec = s.sec; nsec = s.nsec;
  }
  // No time key: say why the start of `log` gave none.
  if (status != TimeStatus.Ok && !f.hasTime && f.hasLog) status = s.timeStatus;
  const ok = status == TimeStatus.Ok;
  // An event time holds seconds from 1970 as an unsigned 32-bit number: a time outside it would
  // wrap (2.x) or make the parser filter lose the record (5.x), so it is only flagged
  // (docs/fluent-bit-facts.md, "Event time range"). @timestamp stays exact.
  const eventTimeRange = writesEventTime && ok && (sec < 0 || sec > <i64>U32.MAX_VALUE);

  let logOut: usize = 0, logOutEnd: usize = 0; // the `log` text written, for the record id
  if (rewrites && f.hasLog) {
    writeMember(logKey); putByte(0x22); logOut = outPos; putMessage(f, s); logOutEnd = outPos; putByte(0x22);
    if (s.isCri && splitRaw) {
      if (!f.hasStream) { writeMember(streamKey); putByte(0x22); putBytes(s.stream == Stream.Stderr ? STDERR : STDOUT, 6); putByte(0x22); }
      if (!f.hasTagKey) putStringMember(tagKey, s.tagStart, s.tagEnd);
    }
    if (s.isCri && rawKey.len > 0) putStringMember(rawKey, f.logStart, f.logEnd);
  }
  if (writesTimestamp) {
    if (ok) putTimeMember(timestampKey, sec, nsec);
    else r.putBack(Key.Timestamp);
  }
  if (writesEventTime) {
    if (ok && !eventTimeRange) putTimeMember(eventTimeKey, sec, nsec);
    else r.putBack(Key.EventTime);
  }
  if (kube && !putKubeMetadata(r.tagStart, r.tagLength, kubeKey)) r.putBack(Key.Kube);
  // The record id needs the written time: without it, equal messages would share an id.
  if (idKey.len > 0 && rewrites) {
    const stream = f.hasStream ? f.stream : s.isCri && splitRaw ? s.stream : Stream.None;
    if (ok && f.hasLog) putRecordId(idKey, r.tagStart, r.tagLength, sec, nsec, stream, logOut, logOutEnd);
    else r.putBack(Key.Id);
  }
  if (checks) putCheck(f, s, ok, status, sec, nsec, r.sec, r.nsec, eventTimeRange);
  return Verdict.Keep;
}

/** The time key's time, what the scan of `log` found, and a glued line's header read again. */
const TIME = changetype<ParsedTime>(memory.data(<i32>offsetof<ParsedTime>(), 8));
const LOG = changetype<LogScan>(memory.data(<i32>offsetof<LogScan>(), 8));
const GLUED = changetype<CriHeader>(memory.data(<i32>offsetof<CriHeader>(), 8));

const STDOUT: usize = memory.data<u8>([0x73, 0x74, 0x64, 0x6f, 0x75, 0x74]);
const STDERR: usize = memory.data<u8>([0x73, 0x74, 0x64, 0x65, 0x72, 0x72]);



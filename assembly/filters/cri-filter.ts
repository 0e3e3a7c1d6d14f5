// The CRI time filter: recovers the time a container runtime wrote each line, writes it where the
// next stage takes it, splits raw CRI lines as Fluent Bit's `cri` parser would, mends lines a
// multiline parser glued together, and reports multiline defects in one diagnostics key.
//
// One pass over the record's top-level members copies everything it does not own (mended into
// valid JSON, core/json.ts); the keys it writes are appended at the end. Nothing allocates.
import { beginCall } from "../abi/arena";
import { outFailed, outPos, outReset, outStart, putAscii, putByte, putBytes, putInt, putJsonEscaped, putUint } from "../abi/writer";
import { Span, checkKey, driftThresholdMs, eventTimeKey, kube, kubeKey, loadConfig, logKey, rawKey, repairGlued, spanThresholdMs, splitRaw, streamKey, tagKey, timeKey, timestampKey } from "../config/config";
import { CriStatus, Stream, Tag, criMessage, mayStartHeader, parseCriHeader } from "../core/cri";
import { putRfc3339Utc } from "../core/format-time";
import { copyKey, copyString, copyValue, jsonError, skipValue, skipWs, stringEnd } from "../core/json";
import { TimeStatus, parseRfc3339, parsedLen, parsedNsec, parsedSec, timeStatusName } from "../core/time";
import { firstIsCri, firstMessage, firstNsec, firstSec, firstStream, firstTag, gluedHeaders, lastTag, lines, maxMs, messageBytes, minMs, nextLine, sawStderr, sawStdout, scanLog } from "./log-scan";
import { putKubeMetadata } from "./kube";
import { resetMembers, separator, writeMember } from "./member";
import { startsWithContinuation } from "./continuation";

/** What an exported entry point writes. */
export const enum Mode {
  Timestamp = 1, // `@timestamp` for the es/opensearch outputs
  EventTime = 2, // a key a parser filter turns into the event time
  Rewrite = 4, // split raw lines, mend glued ones
  Check = 8, // the diagnostics key
}

// Record state, reset per call.
let logStart: usize = 0; // escaped text of `log`, between the quotes
let logEnd: usize = 0;
let hasLog = false;
let timeStart: usize = 0;
let timeEnd: usize = 0;
let hasTime = false;
let streamValue: Stream = Stream.None;
let hasStream = false;
let hasTagKey = false;
let pValueIsP = false;
let savedTimestamp: usize = 0; // an existing timestamp member we may have to put back
let savedTimestampEnd: usize = 0;
let savedEventTime: usize = 0;
let savedEventTimeEnd: usize = 0;

function keyIs(p: usize, len: i32, key: Span): bool {
  return key.len > 0 && len == key.len && memory.compare(p, key.ptr, <usize>len) == 0;
}


/** A string value span (inside the quotes) of the value at p, or 0 when it is not a string. */
function stringInside(p: usize, end: usize): usize {
  return p < end && load<u8>(p) == 0x22 ? p + 1 : 0;
}

/** Writes the message text of `log`: header of the first line and of glued lines removed. */
function putMessage(): void {
  let p = splitRaw && firstIsCri ? firstMessage : logStart;
  let end = logEnd;
  // The `cri` parser's message stops before the line break.
  if (splitRaw && firstIsCri && end - p >= 2 && load<u8>(end - 2) == 0x5c && load<u8>(end - 1) == 0x6e && (end - p < 3 || load<u8>(end - 3) != 0x5c)) end -= 2;
  if (!(repairGlued && gluedHeaders > 0)) { putBytes(p, end - p); return; }
  let line = p;
  let first = true;
  while (line < end) {
    const next = nextLine(line, end);
    let from = line;
    if (!first) {
      // A glued CRI header at the start of this line: keep only its message.
      if (parseHeaderAt(line, next)) from = criMessageAt;
    }
    putBytes(from, next - from);
    first = false;
    line = next;
  }
}

let criMessageAt: usize = 0;
function parseHeaderAt(line: usize, next: usize): bool {
  if (!mayStartHeader(line, next)) return false;
  const lineEnd = next >= 2 && load<u8>(next - 2) == 0x5c && load<u8>(next - 1) == 0x6e ? next - 2 : next;
  if (parseCriHeader(line, lineEnd) != CriStatus.Ok) return false;
  criMessageAt = criMessage;
  return true;
}

function putStreamName(s: Stream): void {
  putAscii(s == Stream.Stderr ? "\"stderr\"" : "\"stdout\"");
}

/** Returns the address of the NUL-terminated JSON result. */
export function filterCri(tagPtr: usize, tagLen: i32, eventSec: u32, eventNsec: u32, rec: usize, recLen: i32, mode: i32): usize {
  loadConfig();
  const start = beginCall();
  const end = rec + <usize>recLen;
  // Worst case: every byte of a non-string key tripled, plus the keys we add.
  outReset(start, <usize>recLen * 3 + <usize>tagLen * 6 + 4096);
  hasLog = false; hasTime = false; hasStream = false; hasTagKey = false; pValueIsP = false;
  streamValue = Stream.None; savedTimestamp = 0; savedEventTime = 0;
  resetMembers();
  jsonError = false;

  let p = skipWs(rec, end);
  if (p >= end || load<u8>(p) != 0x7b) return fallback(rec, recLen);
  putByte(0x7b);
  p++;
  const writesTimestamp = (mode & Mode.Timestamp) != 0;
  const writesEventTime = (mode & Mode.EventTime) != 0;
  const rewrites = (mode & Mode.Rewrite) != 0;
  const checks = (mode & Mode.Check) != 0;

  for (;;) {
    p = skipWs(p, end);
    if (p >= end) { jsonError = true; break; }
    const c = load<u8>(p);
    if (c == 0x7d) { p++; break; }
    if (c == 0x2c) { p++; continue; }
    const keyStart = p;
    let kIn: usize = 0, kLen: i32 = -1;
    if (c == 0x22) { const ke = stringEnd(p, end); kIn = p + 1; kLen = <i32>(ke - p - 2); }
    const valueAt = copyKey(p, end, false);
    if (jsonError) break;
    const valueEnd = skipValue(valueAt, end);
    const sIn = stringInside(valueAt, end);
    const sEnd = valueEnd - 1; // before the closing quote, when a string
    if (kLen >= 0) {
      if (keyIs(kIn, kLen, logKey) && sIn != 0) {
        hasLog = true; logStart = sIn; logEnd = sEnd;
        if (rewrites) { p = valueEnd; continue; } // written after the walk, possibly rewritten
      } else if (keyIs(kIn, kLen, timeKey) && sIn != 0) {
        hasTime = true; timeStart = sIn; timeEnd = sEnd;
      } else if (keyIs(kIn, kLen, streamKey)) {
        hasStream = true;
        if (sIn != 0 && sEnd - sIn == 6 && load<u8>(sIn + 3) == 0x65) streamValue = Stream.Stderr;
        else if (sIn != 0) streamValue = Stream.Stdout;
      } else if (keyIs(kIn, kLen, tagKey)) {
        hasTagKey = true;
        pValueIsP = sIn != 0 && sEnd - sIn == 1 && load<u8>(sIn) == 0x50;
      } else if (writesTimestamp && keyIs(kIn, kLen, timestampKey)) {
        savedTimestamp = keyStart; savedTimestampEnd = valueEnd; p = valueEnd; continue;
      } else if (writesEventTime && keyIs(kIn, kLen, eventTimeKey)) {
        savedEventTime = keyStart; savedEventTimeEnd = valueEnd; p = valueEnd; continue;
      } else if (checks && keyIs(kIn, kLen, checkKey)) {
        p = valueEnd; continue; // ours, recomputed
      } else if (kube && keyIs(kIn, kLen, kubeKey)) {
        p = valueEnd; continue;
      }
    }
    separator();
    copyKey(keyStart, end, true);
    p = copyValue(valueAt, end);
    if (jsonError) break;
  }
  if (jsonError) return fallback(rec, recLen);

  // The time: the time key first (records from the cri/docker parsers), else the CRI header.
  if (hasLog) scanLog(logStart, logEnd);
  let status = TimeStatus.Empty;
  let sec: i64 = 0, nsec: i32 = 0;
  if (hasTime) {
    status = parseRfc3339(timeStart, <i32>(timeEnd - timeStart));
    if (status == TimeStatus.Ok && parsedLen != <i32>(timeEnd - timeStart)) status = TimeStatus.BadSyntax;
    sec = parsedSec; nsec = parsedNsec;
  }
  if (status != TimeStatus.Ok && hasLog && firstIsCri) {
    status = TimeStatus.Ok; sec = firstSec; nsec = firstNsec;
  }
  const ok = status == TimeStatus.Ok;
  const raw = hasLog && firstIsCri;

  if (rewrites && hasLog) {
    writeMember(logKey);
    putByte(0x22); putMessage(); putByte(0x22);
    if (raw && splitRaw) {
      if (!hasStream) { writeMember(streamKey); putStreamName(firstStream); }
      if (!hasTagKey) { writeMember(tagKey); putTagLetter(); }
    }
    if (raw && rawKey.len > 0) { writeMember(rawKey); putByte(0x22); putBytes(logStart, logEnd - logStart); putByte(0x22); }
  }
  if (writesTimestamp) {
    if (ok) { writeMember(timestampKey); putByte(0x22); putRfc3339Utc(sec, nsec); putByte(0x22); }
    else if (savedTimestamp != 0) putBack(savedTimestamp, savedTimestampEnd, end);
  }
  if (writesEventTime) {
    if (ok) { writeMember(eventTimeKey); putByte(0x22); putRfc3339Utc(sec, nsec); putByte(0x22); }
    else if (savedEventTime != 0) putBack(savedEventTime, savedEventTimeEnd, end);
  }
  if (kube) putKubeMetadata(tagPtr, tagLen, kubeKey);
  if (checks) putCheck(ok, status, sec, nsec, eventSec, eventNsec);
  putByte(0x7d);
  putByte(0);
  if (outFailed) return fallback(rec, recLen);
  return outStart;
}

function putTagLetter(): void {
  putAscii(firstTag == Tag.Partial ? "\"P\"" : firstTag == Tag.Full ? "\"F\"" : "\"other\"");
}

function putBack(memberStart: usize, memberEnd: usize, end: usize): void {
  separator();
  const v = copyKey(memberStart, end, true);
  copyValue(v, memberEnd);
}

// The diagnostics object: only what is wrong, so clean records carry nothing.
let checkOpen = false;
function field(name: string): void {
  if (!checkOpen) { writeMember(checkKey); putByte(0x7b); checkOpen = true; } else putByte(0x2c);
  putByte(0x22); putAscii(name); putByte(0x22); putByte(0x3a);
}

function putCheck(ok: bool, status: TimeStatus, sec: i64, nsec: i32, eventSec: u32, eventNsec: u32): void {
  checkOpen = false;
  if (!ok) {
    field("time_error");
    putByte(0x22);
    putAscii(status == TimeStatus.Empty ? (hasLog ? "no_cri_time" : "no_log") : timeStatusName(status));
    putByte(0x22);
  }
  if (hasLog) {
    const partial = (firstIsCri && (gluedHeaders > 0 ? lastTag : firstTag) == Tag.Partial) || (hasTagKey && pValueIsP);
    if (partial) { field("partial"); putAscii("true"); }
    if (gluedHeaders > 0) {
      field("glued"); putUint(<u64>gluedHeaders);
      field("lines"); putUint(<u64>lines);
      field("bytes"); putUint(<u64>messageBytes);
    }
    const mixed = (sawStdout && sawStderr) || (hasStream && streamValue != Stream.None && firstIsCri && ((streamValue == Stream.Stderr) ? sawStdout : sawStderr));
    if (mixed) { field("mixed_streams"); putAscii("true"); }
    if (gluedHeaders > 0 && maxMs - minMs > spanThresholdMs) { field("span_ms"); putInt(maxMs - minMs); }
    const msg = firstIsCri && splitRaw ? firstMessage : logStart;
    if (startsWithContinuation(msg, logEnd)) { field("continuation_start"); putAscii("true"); }
  }
  if (ok) {
    // Event time minus recovered time: the late or stuck timestamp symptom.
    const driftNs: i64 = (<i64>eventSec - sec) * 1000000000 + <i64>(<i32>eventNsec - nsec);
    const driftMs = driftNs / 1000000;
    if (driftMs >= driftThresholdMs || -driftMs >= driftThresholdMs) { field("drift_ms"); putInt(driftMs); }
  }
  if (checkOpen) putByte(0x7d);
}

/** Output could not be built (broken input structure, memory exhausted): never drop the record. */
function fallback(rec: usize, recLen: i32): usize {
  // Keep the whole text as a string so Fluent Bit still gets valid JSON holding the data.
  outReset(outStart, <usize>recLen * 6 + 256);
  resetMembers();
  putByte(0x7b);
  writeMember(checkKey); putAscii("{\"invalid_json\":true}");
  writeMember(logKey); putByte(0x22); putJsonEscaped(rec, <usize>recLen); putByte(0x22);
  putByte(0x7d); putByte(0);
  if (outFailed) return rec; // nothing else left to try: the text as it came
  return outStart;
}

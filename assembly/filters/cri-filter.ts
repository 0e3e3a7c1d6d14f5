// The CRI time filter: recovers the time a container runtime wrote each line, writes it where the
// next stage takes it, splits raw CRI lines as Fluent Bit's `cri` parser would, mends lines a
// multiline parser glued together, and reports multiline defects in one diagnostics key.
//
// One pass over the record's top-level members copies everything the filter does not own
// (mended into valid JSON, core/json.ts); the keys it writes are appended at the end.
// Nothing allocates: all state is in globals, all text stays where Fluent Bit put it.
import { beginCall } from "../abi/arena";
import { resultReplaced } from "../abi/result";
import { outFailed, outPos, outReset, putAscii, putByte, putBytes, putJsonEscaped } from "../abi/writer";
import { Span, mayBeSettingKey, spanIs, checkKey, eventTimeKey, idKey, kube, kubeKey, loadConfig, logKey, rawKey, repairGlued, splitRaw, streamKey, tagKey, timeKey, timestampKey } from "../config/config";
import { CriHeader, CriStatus, Stream, mayStartHeader, parseCriHeader } from "../core/cri";
import { putRfc3339Utc } from "../core/format-time";
import { copyKey, copyStringBody, copyStringBodyFrom, copyValue, firstEscape, jsonError, setJsonError, skipValue, skipWs, stringEnd } from "../core/json";
import { ParsedTime, TimeStatus, parseRfc3339 } from "../core/time";
import { putCheck } from "./check";
import { putKubeMetadata } from "./kube";
import { putRecordId } from "./record-id";
import { LogScan, gluedMessage, scanLog } from "./log-scan";
import { lineTextEnd, nextLine } from "../core/lines";
import { resetMembers, separator, writeMember } from "./member";
import { RecordFacts, facts } from "./record";

/** What an exported entry point writes. */
export const enum Mode {
  Timestamp = 1, // `@timestamp` for the es/opensearch outputs
  EventTime = 2, // a key a parser filter turns into the event time
  Rewrite = 4, // split raw lines, mend glued ones
  Check = 8, // the diagnostics key
}

const enum Role { Other, Log, Time, Stream, TagKey, Timestamp, EventTime, Own, Kube, Id }

/** What a top-level key means to this call (keys the mode does not write are just copied). */
function keyRole(p: usize, len: i32, mode: i32): Role {
  if (!mayBeSettingKey(len)) return Role.Other;
  if (spanIs(p, len, logKey)) return Role.Log;
  if (spanIs(p, len, timeKey)) return Role.Time;
  if (spanIs(p, len, streamKey)) return Role.Stream;
  if (spanIs(p, len, tagKey)) return Role.TagKey;
  if ((mode & Mode.Timestamp) != 0 && spanIs(p, len, timestampKey)) return Role.Timestamp;
  if ((mode & Mode.EventTime) != 0 && spanIs(p, len, eventTimeKey)) return Role.EventTime;
  if ((mode & Mode.Check) != 0 && spanIs(p, len, checkKey)) return Role.Own;
  if (kube && spanIs(p, len, kubeKey)) return Role.Kube;
  if ((mode & Mode.Rewrite) != 0 && spanIs(p, len, idKey)) return Role.Id;
  return Role.Other;
}

/**
 * Copies the terminated string [start, stringEnd) that stringEnd() scanned: in one piece when
 * it holds no backslash (`clean` is then its closing quote), else with its escapes mended.
 */
function putScannedString(start: usize, stringEnd: usize, clean: usize): void {
  if (clean == stringEnd - 1) { putBytes(start, stringEnd - start); return; }
  putByte(0x22);
  copyStringBodyFrom(start + 1, stringEnd - 1, clean);
  putByte(0x22);
}

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

/** Puts back a member that was held out (written again when the filter has nothing better). */
function putBack(memberStart: usize, memberEnd: usize, end: usize): void {
  separator();
  const v = copyKey(memberStart, end, true);
  copyValue(v, memberEnd);
}

/** Returns the address of the NUL-terminated JSON result. */
export function filterCri(tagPtr: usize, tagLen: i32, eventSec: u32, eventNsec: u32, rec: usize, recLen: i32, mode: i32): usize {
  loadConfig();
  const start = beginCall();
  const end = rec + <usize>recLen;
  // Worst case: a one-byte non-string key becomes three bytes; plus the members added.
  outReset(start, <usize>recLen * 3 + <usize>tagLen * 6 + 4096);
  resetMembers();
  setJsonError(false);
  const f = facts;
  f.reset();

  let p = skipWs(rec, end);
  if (p >= end || load<u8>(p) != 0x7b) return fallback(rec, recLen, start);
  putByte(0x7b);
  p++;
  const writesTimestamp = (mode & Mode.Timestamp) != 0;
  const writesEventTime = (mode & Mode.EventTime) != 0;
  const rewrites = (mode & Mode.Rewrite) != 0;
  const checks = (mode & Mode.Check) != 0;

  let last: usize = 0;
  for (;;) {
    p = skipWs(p, end);
    if (p >= end) { setJsonError(true); break; }
    // Every turn must consume input: a member that does not parse must not spin forever.
    if (p == last) { setJsonError(true); break; }
    last = p;
    const c = load<u8>(p);
    if (c == 0x7d) break;
    if (c == 0x2c) { p++; continue; }
    if (c != 0x22) {
      // A key Fluent Bit printed unquoted (`{1:"a"}`): copied as a string key, with its value.
      separator();
      p = copyValue(copyKey(p, end, true), end);
      if (jsonError) break; // broken structure: the fallback keeps the text
      continue;
    }
    // Each string is scanned once: its end and its first backslash say how to copy it.
    const keyStart = p;
    const keyEnd = stringEnd(p, end);
    const keyClean = firstEscape;
    const role = keyRole(p + 1, <i32>(keyEnd - p) - 2, mode);
    let valueAt = skipWs(keyEnd, end);
    if (valueAt >= end || load<u8>(valueAt) != 0x3a) { setJsonError(true); break; }
    valueAt = skipWs(valueAt + 1, end);
    const isString = valueAt < end && load<u8>(valueAt) == 0x22;
    if (!isString && role == Role.Other) {
      separator();
      putScannedString(keyStart, keyEnd, keyClean);
      putByte(0x3a);
      p = copyValue(valueAt, end);
      if (jsonError) break;
      continue;
    }
    const valueEnd = isString ? stringEnd(valueAt, end) : skipValue(valueAt, end);
    const valueClean = firstEscape;
    if (jsonError || valueEnd >= end) { setJsonError(true); break; } // an object never ends inside a value
    const sIn: usize = isString ? valueAt + 1 : 0;
    const sEnd = valueEnd - 1; // the closing quote, when a string
    let held = false; // written later, or not at all
    if (role == Role.Other) {
      // most members: nothing to note
    } else if (role == Role.Log && isString) {
      f.hasLog = true; f.logStart = sIn; f.logEnd = sEnd; f.logClean = valueClean;
      held = rewrites; // written after the walk, possibly rewritten
    } else if (role == Role.Time && isString) {
      f.hasTime = true; f.timeStart = sIn; f.timeEnd = sEnd;
    } else if (role == Role.Stream) {
      f.hasStream = true;
      // Exactly "stderr" (it holds nothing a JSON writer escapes); any other text counts as stdout.
      if (isString) f.stream = sEnd - sIn == 6 && load<u32>(sIn) == 0x65647473 && load<u16>(sIn, 4) == 0x7272 ? Stream.Stderr : Stream.Stdout;
    } else if (role == Role.TagKey) {
      f.hasTagKey = true;
      // `P`, or `P:` and more tags (the whole field, from a regex parser such as `cri`'s logtag).
      f.tagKeyIsP = isString && sEnd - sIn >= 1 && load<u8>(sIn) == 0x50 && (sEnd - sIn == 1 || load<u8>(sIn + 1) == 0x3a);
    } else if (role == Role.Timestamp) {
      f.heldTimestamp = keyStart; f.heldTimestampEnd = valueEnd; held = true;
    } else if (role == Role.EventTime) {
      f.heldEventTime = keyStart; f.heldEventTimeEnd = valueEnd; held = true;
    } else if (role == Role.Id) {
      f.heldId = keyStart; f.heldIdEnd = valueEnd; held = true; // replaced when an id is made
    } else if (role == Role.Kube) {
      f.heldKube = keyStart; f.heldKubeEnd = valueEnd; held = true; // replaced when the tag has the metadata
    } else if (role == Role.Own) {
      held = true; // the filter's own key: recomputed
    }
    p = valueEnd;
    if (held) continue;
    separator();
    if (isString && valueAt == keyEnd + 1 && keyClean == keyEnd - 1 && valueClean == valueEnd - 1) {
      putBytes(keyStart, valueEnd - keyStart); // `"key":"value"`, no space, no backslash: copied whole
      continue;
    }
    putScannedString(keyStart, keyEnd, keyClean);
    putByte(0x3a);
    if (isString) putScannedString(valueAt, valueEnd, valueClean);
    else copyValue(valueAt, end);
  }
  if (jsonError) return fallback(rec, recLen, start);

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
    else if (f.heldTimestamp != 0) putBack(f.heldTimestamp, f.heldTimestampEnd, end);
  }
  if (writesEventTime) {
    if (ok && !eventTimeRange) putTimeMember(eventTimeKey, sec, nsec);
    else if (f.heldEventTime != 0) putBack(f.heldEventTime, f.heldEventTimeEnd, end);
  }
  if (kube && !putKubeMetadata(tagPtr, tagLen, kubeKey) && f.heldKube != 0) putBack(f.heldKube, f.heldKubeEnd, end);
  // The record id needs the written time: without it, equal messages would share an id.
  if (idKey.len > 0 && rewrites) {
    const stream = f.hasStream ? f.stream : s.isCri && splitRaw ? s.stream : Stream.None;
    if (ok && f.hasLog) putRecordId(idKey, tagPtr, tagLen, sec, nsec, stream, logOut, logOutEnd);
    else if (f.heldId != 0) putBack(f.heldId, f.heldIdEnd, end);
  }
  if (checks) putCheck(f, s, ok, status, sec, nsec, eventSec, eventNsec, eventTimeRange);
  putByte(0x7d);
  if (outFailed) return fallback(rec, recLen, start);
  return resultReplaced(rec);
}

/** The time key's time, what the scan of `log` found, and a glued line's header read again. */
const TIME = changetype<ParsedTime>(memory.data(<i32>offsetof<ParsedTime>(), 8));
const LOG = changetype<LogScan>(memory.data(<i32>offsetof<LogScan>(), 8));
const GLUED = changetype<CriHeader>(memory.data(<i32>offsetof<CriHeader>(), 8));

const STDOUT: usize = memory.data<u8>([0x73, 0x74, 0x64, 0x6f, 0x75, 0x74]);
const STDERR: usize = memory.data<u8>([0x73, 0x74, 0x64, 0x65, 0x72, 0x72]);


/**
 * The input is not a JSON object this filter can walk (Fluent Bit never sends one, a fuzzer
 * does), or memory ran out: never drop the record. The whole text becomes the value of `log`,
 * flagged, so Fluent Bit still gets valid JSON holding every byte.
 */
function fallback(rec: usize, recLen: i32, start: usize): usize {
  outReset(start, <usize>recLen * 6 + 256);
  resetMembers();
  putByte(0x7b);
  writeMember(checkKey); putAscii("{\"invalid_json\":true}");
  writeMember(logKey); putByte(0x22); putJsonEscaped(rec, <usize>recLen); putByte(0x22);
  putByte(0x7d);
  return resultReplaced(rec); // if even this cannot be written: the text as it came
}

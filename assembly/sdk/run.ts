// The call protocol of filter_wasm, owned here so that a filter is a function over a record:
//   - the arena: a call's memory is the record's copy and the output after it (abi/arena.ts);
//   - the verdict: Keep returns a copy of the record with the filter's edits, mended into JSON
//     both of Fluent Bit's readers take (core/json.ts: returned as it came, a record Fluent Bit
//     wrote as invalid JSON would be dropped); Drop returns the empty string, which Fluent Bit
//     takes as "drop this record";
//   - never lose a record: text that is not a JSON object, or broken past mending, or an output
//     that cannot grow, becomes `{"fbwasm_check":{"invalid_json":true},"log":"<the whole text>"}`.
import { beginCall } from "../abi/arena";
import { resultReplaced } from "../abi/result";
import { outFailed, outPos, outReset, putAscii, putByte, putBytes, putJsonEscaped, setOutPos } from "../abi/writer";
import { CriHeader, CriStatus, parseCriHeader } from "../core/cri";
import { jsonUnescape } from "../core/json-string";
import { putInt } from "../core/digits";
import { copyStringMasked, keyAtListed, maskWith, masking, putMask, stopMasking } from "../core/mask";
import { JsonReport, copyKey, copyValue, skipValue, skipWs, stringEnd } from "../core/json";
import { EditKind, Record, beginRecord, editAt } from "./record";
import { Relation, literalBytes, literalUtf8, putJsonBytes, putJsonLiteral, sameText, textRelates } from "./text";
import { pow10, resetViews } from "./value";
import { fallback } from "./fallback";

export const enum Verdict { Keep, Drop }

/** What a filter is: a function from the record to its verdict, with edits noted on the record. */
export type Filter = (r: Record) => Verdict;

const EMPTY: usize = memory.data(1); // "": Fluent Bit drops the record

/** What the walks over this call's record (and the filter's values) found. */
const WALK = changetype<JsonReport>(memory.data(<i32>offsetof<JsonReport>(), 8));

/**
 * Runs `filter` on one record as Fluent Bit calls a wasm filter: pass the six arguments of the
 * exported function on as they came.
 */
export function run(filter: Filter, tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  const start = beginCall();
  resetViews();
  const r = beginRecord(rec, recLen, tag, tagLen, sec, nsec);
  const verdict = filter(r);
  if (verdict == Verdict.Drop) return EMPTY;
  WALK.broken = false;
  // A lift: its text decoded first, before where the output will start, so the copy can read it.
  const object = r.lift.start != 0 ? decodeLift(r, start) : false;
  const outAt = object ? (liftedEnd + 7) & ~<usize>7 : start;
  if (!r.redaction.on) return writeRecord(r, rec, recLen, outAt, start, object);
  const m = r.redaction;
  maskWith(m.namesStart, m.namesEnd - m.namesStart, m.maskStart, m.maskEnd - m.maskStart, m.secrets);
  const out = writeRecord(r, rec, recLen, outAt, start, object);
  stopMasking();
  return out;
}

const LIFT_HEADER = changetype<CriHeader>(memory.data(<i32>offsetof<CriHeader>(), 8));

// The object decoded by decodeLift(), valid during the call.
// @ts-ignore: decorator
@lazy let liftedStart: usize = 0;
// @ts-ignore: decorator
@lazy let liftedEnd: usize = 0;

/** Decodes the lift's string at `at`; true when its text (after a CRI header, if asked) is exactly one JSON object. */
function decodeLift(r: Record, at: usize): bool {
  const l = r.lift;
  outReset(at, l.end - l.start + 16);
  jsonUnescape(l.start + 1, l.end - 1);
  if (outFailed) return false;
  const end = outPos;
  let p = at;
  if (l.afterCriHeader && parseCriHeader(p, end, LIFT_HEADER) == CriStatus.Ok) p = LIFT_HEADER.message;
  p = skipWs(p, end);
  if (p >= end || load<u8>(p) != 0x7b) return false;
  WALK.broken = false;
  const q = skipValue(p, end, WALK);
  const whole = !WALK.broken && skipWs(q, end) == end;
  WALK.broken = false;
  if (!whole) return false;
  // The record must stay one Fluent Bit's outputs can print (DEEPEST_RECORD): lifted at the top,
  // the object's containers are the record's; under a key, one more.
  const underKey = l.underEnd > l.underStart;
  if (nestedDeeper(p, q, underKey ? DEEPEST_RECORD - 1 : DEEPEST_RECORD)) return false;
  liftedStart = p;
  liftedEnd = q;
  return true;
}

/**
 * The most nested containers a lift may make a record hold (the record's map included). Fluent
 * Bit 2.1.8 crashes (SIGSEGV) when an output formats a record of 28 to 31 as JSON, and outputs
 * stop decoding a chunk at a record of 32 or more (5.1.1: 64 or more): docs/fluent-bit-facts.md,
 * "The text a filter returns". A payload that would go deeper stays text.
 */
const DEEPEST_RECORD = 27;

/** Does the JSON text [p, end) nest more than `limit` containers? */
function nestedDeeper(p: usize, end: usize, limit: i32): bool {
  let depth = 0;
  let inString = false;
  for (; p < end; p++) {
    const c = load<u8>(p);
    if (inString) {
      if (c == 0x5c) p++; // the escaped character cannot close the string
      else if (c == 0x22) inString = false;
    } else if (c == 0x22) inString = true;
    else if (c == 0x7b || c == 0x5b) { if (++depth > limit) return true; }
    else if (c == 0x7d || c == 0x5d) depth--;
  }
  return false;
}

/** Does the record (or an edit that adds a member) already hold the member named by the escaped key [k, kEnd)? */
function recordHas(r: Record, rec: usize, end: usize, k: usize, kEnd: usize): bool {
  for (let i = 0; i < r.editCount; i++) {
    const e = editAt(i);
    if (e.kind != EditKind.Remove && (textRelates(k, kEnd, e.kind == EditKind.Rename ? e.text : e.name, Relation.Equals))) return true;
  }
  let p = skipWs(rec, end);
  if (p >= end || load<u8>(p) != 0x7b) return false;
  p++;
  for (let last: usize = 0; ;) {
    p = skipWs(p, end);
    if (p >= end || p == last || load<u8>(p) == 0x7d) return false;
    last = p;
    if (load<u8>(p) == 0x2c) { p++; continue; }
    const isString = load<u8>(p) == 0x22;
    const keyEnd = isString ? stringEnd(p, end, WALK) : 0;
    if (isString && sameText(p + 1, keyEnd - 1, k, kEnd)) return true;
    p = skipValue(copyKey(p, end, false, WALK), end, WALK);
    if (WALK.broken) { WALK.broken = false; return false; }
  }
  return false;
}

function writeRecord(r: Record, rec: usize, recLen: i32, start: usize, callStart: usize, lifted: bool): usize {
  const end = rec + <usize>recLen;
  const dropSource = lifted && !r.lift.keepSource;
  outReset(start, <usize>recLen + 256);
  let p = skipWs(rec, end);
  if (p >= end || load<u8>(p) != 0x7b) return fallback(rec, recLen, start);
  putByte(0x7b);
  p++;
  let wrote = false;
  let last: usize = 0;
  for (;;) {
    p = skipWs(p, end);
    if (p >= end || p == last) { WALK.broken = true; break; } // truncated, or a member that does not parse
    last = p;
    const c = load<u8>(p);
    if (c == 0x7d) break;
    if (c == 0x2c) { p++; continue; }
    const keyEnd = c == 0x22 ? stringEnd(p, end, WALK) : 0;
    if (dropSource) {
      const valueAt = copyKey(p, end, false, WALK);
      if (valueAt == r.lift.start) { p = skipValue(valueAt, end, WALK); continue; } // lifted: its text is in the members now
    }
    const e = c == 0x22 && r.editCount > 0 ? editFor(r, p + 1, keyEnd - 1) : -1;
    if (e < 0) {
      if (wrote) putByte(0x2c);
      wrote = true;
      if (masking && keyAtListed(p, end, WALK)) { p = skipValue(copyKey(p, end, true, WALK), end, WALK); putMask(); } // a listed name, at the top
      else p = copyValue(copyKey(p, end, true, WALK), end, WALK);
    } else {
      const edit = editAt(e);
      edit.applied = true;
      const valueAt = copyKey(p, end, false, WALK);
      if (edit.kind == EditKind.Remove) { p = skipValue(valueAt, end, WALK); continue; }
      if (wrote) putByte(0x2c);
      wrote = true;
      if (edit.kind == EditKind.Rename) { putJsonLiteral(edit.text); putByte(0x3a); p = copyValue(valueAt, end, WALK); continue; }
      copyKey(p, end, true, WALK);
      putEditValue(r, e);
      p = skipValue(valueAt, end, WALK);
    }
    if (WALK.broken) break;
  }
  if (WALK.broken) return fallback(rec, recLen, callStart);
  // Members the record did not have: added at the end, in the order they were set.
  for (let i = 0; i < r.editCount; i++) {
    const edit = editAt(i);
    if (edit.applied || edit.kind == EditKind.Remove || edit.kind == EditKind.Rename || edit.kind == EditKind.None) continue;
    if (wrote) putByte(0x2c);
    wrote = true;
    putJsonLiteral(edit.name);
    putByte(0x3a);
    putEditValue(r, i);
  }
  if (lifted) wrote = putLifted(r, rec, end, wrote);
  putByte(0x7d);
  if (outFailed || WALK.broken) return fallback(rec, recLen, callStart);
  return resultReplaced(rec);
}

/** The lifted object's members, those the record has not already; or the object under its key. */
function putLifted(r: Record, rec: usize, end: usize, wrote: bool): bool {
  const l = r.lift;
  if (l.underEnd > l.underStart) {
    if (recordHas(r, rec, end, l.underStart, l.underEnd)) return wrote;
    if (wrote) putByte(0x2c);
    putByte(0x22); putBytes(l.underStart, l.underEnd - l.underStart); putAscii("\":"); // a setting: no quote or backslash in it
    copyValue(liftedStart, liftedEnd, WALK);
    return true;
  }
  let p = skipWs(liftedStart + 1, liftedEnd);
  for (let last: usize = 0; ;) {
    p = skipWs(p, liftedEnd);
    if (p >= liftedEnd || p == last || load<u8>(p) == 0x7d) break;
    last = p;
    if (load<u8>(p) == 0x2c) { p++; continue; }
    // A key that is no string (an application's own broken JSON) is copied as a string key, unchecked.
    const isString = load<u8>(p) == 0x22;
    const keyEnd = isString ? stringEnd(p, liftedEnd, WALK) : 0;
    const valueAt = copyKey(p, liftedEnd, false, WALK);
    const valueEnd = skipValue(valueAt, liftedEnd, WALK);
    if (!isString || !recordHas(r, rec, end, p + 1, keyEnd - 1)) {
      if (wrote) putByte(0x2c);
      wrote = true;
      copyKey(p, liftedEnd, true, WALK);
      copyValue(valueAt, valueEnd, WALK);
    }
    p = valueEnd;
  }
  return wrote;
}

/** The edit whose name is the text of the key [p, end) (escaped as Fluent Bit wrote it); -1 if none. */
function editFor(r: Record, p: usize, end: usize): i32 {
  for (let i = 0; i < r.editCount; i++) {
    if (textRelates(p, end, editAt(i).name, Relation.Equals)) return i;
  }
  return -1;
}

function putEditValue(r: Record, i: i32): void {
  const e = editAt(i);
  switch (e.kind) {
    case EditKind.SetTag: putByte(0x22); putJsonBytes(r.tagStart, <usize>r.tagLength); putByte(0x22); break;
    case EditKind.SetString: putJsonLiteral(e.text); break;
    case EditKind.SetValue: {
      WALK.broken = false;
      copyValue(e.start, e.end, WALK);
      if (WALK.broken) { WALK.broken = false; putAscii("null"); }
      break;
    }
    case EditKind.SetInt: putInt(e.int); break;
    case EditKind.SetNumber: putNumber(e.num); break;
    case EditKind.SetBool: putAscii(e.flag ? "true" : "false"); break;
    case EditKind.SetRaw: {
      // The filter's own JSON: written (mended) when it is one whole value, else null.
      const n = literalUtf8(e.text);
      const at = literalBytes(), to = at + <usize>(n > 0 ? n : <i32>0);
      const before = WALK.broken;
      WALK.broken = false;
      const whole = n > 0 && skipWs(skipValue(skipWs(at, to), to, WALK), to) == to && !WALK.broken;
      WALK.broken = false;
      if (whole) copyValue(skipWs(at, to), to, WALK);
      else putAscii("null");
      WALK.broken = before;
      break;
    }
    default: putAscii("null");
  }
}

/** A double in JSON: integers below 1e15 exactly; others as d.ddd…e±x with 15 significant digits. */
function putNumber(v: f64): void {
  if (!isFinite(v)) { putAscii("null"); return; }
  if (v == Math.floor(v) && Math.abs(v) < 1e15) { putInt(<i64>v); return; }
  if (v < 0) { putByte(0x2d); v = -v; }
  // The decimal exponent: from the binary one, then corrected by a step either way.
  let e = <i32>Math.floor(<f64>(<i32>((reinterpret<u64>(v) >> 52) & 0x7ff) - 1023) * 0.30102999566398120);
  while (v >= pow10(e + 1)) e++;
  while (v < pow10(e)) e--;
  let digits = <i64>Math.round(e >= 14 ? v / pow10(e - 14) : v * pow10(14 - e));
  if (digits >= 1_000_000_000_000_000) { digits /= 10; e++; }
  while (digits % 10 == 0 && digits > 9) digits /= 10;
  // digits holds the significant digits: the first before the point, the rest after it.
  let n = 0;
  for (let d = digits; d > 0; d /= 10) n++;
  let div: i64 = 1;
  for (let k = 1; k < n; k++) div *= 10;
  putByte(<u8>(0x30 + <i32>(digits / div)));
  putByte(0x2e);
  if (n == 1) putByte(0x30);
  for (div /= 10; div > 0; div /= 10) putByte(<u8>(0x30 + <i32>((digits / div) % 10)));
  // Always a '.' before the exponent: Fluent Bit 2.x's reader takes `1e21` as 1 (core/json.ts).
  if (e != 0) { putByte(0x65); putInt(e); }
}

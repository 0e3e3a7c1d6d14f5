// The one-pass runner, for filters on the hot path of every log line (the CRI filters): the
// record is copied once, member by member, mended into valid JSON (core/json.ts) as run() does,
// and while it is copied the members under watched keys (watched.ts) are noted, and those the
// filter writes itself are held out of the copy. Then the filter runs on what was noted and adds
// its members at the end. Compared with run(), nothing is looked up twice and no edit list is
// kept: the price is that a one-pass filter can only add members after the copy (or put a held
// one back), not change them in place.
import { beginCall } from "../abi/arena";
import { resetMembers, separator } from "../abi/member";
import { resultReplaced } from "../abi/result";
import { outFailed, outReset, putAscii, putByte, putBytes } from "../abi/writer";
import { Span } from "../core/span";
import { JsonReport, copyKey, copyStringBodyFrom, copyValue, skipValue, skipWs, stringEnd } from "../core/json";
import { putInt } from "../core/digits";
import { fallback } from "./fallback";
import { tagRelates } from "./record";
import { Verdict } from "./run";
import { putJsonLiteral } from "./text";
import { Value, resetViews } from "./value";
import { keySpan, watchedMember, watchedSlot } from "./watched";

/** What a one-pass filter is: a function over the copied record, which may add members. */
export type PassFilter = (r: CopiedRecord) => Verdict;

/** Which watched members a call notes and holds, by slot bit (1 << slot). */
@unmanaged export class Plan {
  /** Members noted, and copied unless held. */
  notes: u32 = 0;
  /** Of those, the ones held out of the copy: the filter writes them, or puts them back. */
  holds: u32 = 0;
  /** Slots whose member counts only when its value is a string (else it is copied as any other). */
  stringsOnly: u32 = 0;
  /** Passed on to the filter as it is (e.g. which outputs an entry point writes). */
  variant: i32 = 0;
  /** The keys of the record that replaces a text no walk can read (fallback.ts). */
  checkKey: Span;
  logKey: Span;

  init(notes: u32, holds: u32, stringsOnly: u32, variant: i32, checkKey: Span, logKey: Span): Plan {
    this.notes = notes; this.holds = holds & notes; this.stringsOnly = stringsOnly;
    this.variant = variant; this.checkKey = checkKey; this.logKey = logKey;
    return this;
  }
}

const PLANS_MAX = 16;
const AUTHOR_PLANS: usize = memory.data(<i32>offsetof<Plan>() * PLANS_MAX, 8);
// @ts-ignore: decorator
@lazy let authorPlans: i32 = 0;

/**
 * A plan for a filter of its own (slots from watch(), as bits `1 << slot`): a text no walk can
 * read becomes `{"fbwasm_check":{"invalid_json":true},"log":"<the text>"}`, as with run().
 * Made once, at the module's start (PLANS_MAX of them).
 */
export function passPlan(notes: u32, holds: u32, stringsOnly: u32 = 0, variant: i32 = 0): Plan {
  const i = authorPlans < PLANS_MAX - 1 ? authorPlans++ : PLANS_MAX - 1;
  return changetype<Plan>(AUTHOR_PLANS + <usize>i * offsetof<Plan>()).init(notes, holds, stringsOnly, variant, keySpan("fbwasm_check"), keySpan("log"));
}

/** The record once the runner copied it: what the filter reads, and where it adds members. */
@unmanaged export class CopiedRecord {
  tagStart: usize = 0;
  tagLength: i32 = 0;
  /** The event time Fluent Bit gave the record. */
  sec: u32 = 0;
  nsec: u32 = 0;
  /** The plan's variant. */
  variant: i32 = 0;
  /** Bit `1 << slot` for every watched member the record has. */
  seen: u32 = 0;

  /** Does the record have a member under the watched key `slot` (a string, where the plan says so)? */
  // @ts-ignore: decorator
  @inline has(slot: i32): bool { return ((this.seen >> <u32>slot) & 1) != 0; }

  /** The value of that member (the last, if several): valid when has(slot). */
  // @ts-ignore: decorator
  @inline watched(slot: i32): Value { return watchedMember(slot); }

  tagIs(s: string): bool { return tagRelates(this.tagStart, this.tagLength, s, 0); }
  tagStartsWith(s: string): bool { return tagRelates(this.tagStart, this.tagLength, s, 1); }
  tagContains(s: string): bool { return tagRelates(this.tagStart, this.tagLength, s, 2); }

  /** Writes a held member as it came (mended): the filter has nothing better to put there. */
  putBack(slot: i32): void {
    if (!this.has(slot)) return;
    const m = watchedMember(slot);
    separator();
    copyValue(copyKey(m.keyStart, m.end, true, WALK), m.end, WALK); // the key lies before its value's end
  }

  // Members added after the copy, in the order they are added (a name the record has already
  // appears twice unless its member was held).
  addString(name: string, s: string): void { addName(name); putJsonLiteral(s); }
  addInt(name: string, v: i64): void { addName(name); putInt(v); }
  addBool(name: string, v: bool): void { addName(name); putAscii(v ? "true" : "false"); }
  /** A copy of a value of this record (mended as the copy is); null for a missing one. */
  addValue(name: string, v: Value): void {
    addName(name);
    if (!v.exists) { putAscii("null"); return; }
    copyValue(v.start, v.end, WALK);
  }
}

function addName(name: string): void {
  separator(); putJsonLiteral(name); putByte(0x3a);
}

const COPIED = changetype<CopiedRecord>(memory.data(<i32>offsetof<CopiedRecord>(), 8));
/** What the walks over this call's record found. */
const WALK = changetype<JsonReport>(memory.data(<i32>offsetof<JsonReport>(), 8));

const EMPTY: usize = memory.data(1); // "": Fluent Bit drops the record

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

/** Runs `filter` on one record as Fluent Bit calls a wasm filter, with the exported function's six arguments. */
export function runPass(filter: PassFilter, plan: Plan, tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  const start = beginCall();
  const end = rec + <usize>recLen;
  // Worst case: a one-byte non-string key becomes three bytes; plus the members added.
  outReset(start, <usize>recLen * 3 + <usize>tagLen * 6 + 4096);
  resetMembers();
  resetViews();
  WALK.broken = false;

  let p = skipWs(rec, end);
  if (p >= end || load<u8>(p) != 0x7b) return fallback(rec, recLen, start, plan.checkKey, plan.logKey);
  putByte(0x7b);
  p++;
  const notes = plan.notes, holds = plan.holds, stringsOnly = plan.stringsOnly;
  let seen: u32 = 0;
  let last: usize = 0;
  for (;;) {
    p = skipWs(p, end);
    if (p >= end) { WALK.broken = true; break; }
    // Every turn must consume input: a member that does not parse must not spin forever.
    if (p == last) { WALK.broken = true; break; }
    last = p;
    const c = load<u8>(p);
    if (c == 0x7d) break;
    if (c == 0x2c) { p++; continue; }
    if (c != 0x22) {
      // A key Fluent Bit printed unquoted (`{1:"a"}`): copied as a string key, with its value.
      separator();
      p = copyValue(copyKey(p, end, true, WALK), end, WALK);
      if (WALK.broken) break; // broken structure: the fallback keeps the text
      continue;
    }
    // Each string is scanned once: its end and its first backslash say how to copy it.
    const keyStart = p;
    const keyEnd = stringEnd(p, end, WALK);
    const keyClean = WALK.firstEscape;
    let slot = watchedSlot(p + 1, <i32>(keyEnd - p) - 2, notes);
    let valueAt = skipWs(keyEnd, end);
    if (valueAt >= end || load<u8>(valueAt) != 0x3a) { WALK.broken = true; break; }
    valueAt = skipWs(valueAt + 1, end);
    const isString = valueAt < end && load<u8>(valueAt) == 0x22;
    if (!isString && slot >= 0 && ((stringsOnly >> <u32>slot) & 1) != 0) slot = -1;
    if (!isString && slot < 0) {
      separator();
      putScannedString(keyStart, keyEnd, keyClean);
      putByte(0x3a);
      p = copyValue(valueAt, end, WALK);
      if (WALK.broken) break;
      continue;
    }
    const valueEnd = isString ? stringEnd(valueAt, end, WALK) : skipValue(valueAt, end, WALK);
    const valueClean = WALK.firstEscape;
    if (WALK.broken || valueEnd >= end) { WALK.broken = true; break; } // an object never ends inside a value
    p = valueEnd;
    if (slot >= 0) {
      const bit: u32 = 1 << <u32>slot;
      seen |= bit;
      const m = watchedMember(slot);
      m.keyStart = keyStart;
      m.start = valueAt; m.end = valueEnd; m.plain = isString ? valueClean : 0;
      if ((holds & bit) != 0) continue;
    }
    separator();
    if (isString && valueAt == keyEnd + 1 && keyClean == keyEnd - 1 && valueClean == valueEnd - 1) {
      putBytes(keyStart, valueEnd - keyStart); // `"key":"value"`, no space, no backslash: copied whole
      continue;
    }
    putScannedString(keyStart, keyEnd, keyClean);
    putByte(0x3a);
    if (isString) putScannedString(valueAt, valueEnd, valueClean);
    else copyValue(valueAt, end, WALK);
  }
  if (WALK.broken) return fallback(rec, recLen, start, plan.checkKey, plan.logKey);

  const r = COPIED;
  r.tagStart = tag; r.tagLength = tagLen; r.sec = sec; r.nsec = nsec;
  r.variant = plan.variant; r.seen = seen;
  if (filter(r) == Verdict.Drop) return EMPTY;
  putByte(0x7d);
  if (outFailed) return fallback(rec, recLen, start, plan.checkKey, plan.logKey);
  return resultReplaced(rec);
}

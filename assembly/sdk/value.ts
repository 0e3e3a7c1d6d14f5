// A view of one JSON value inside the record Fluent Bit handed in: where its text starts and
// ends, nothing decoded until asked. Views live in a fixed pool that every call starts afresh
// (VIEWS_PER_CALL of them: a filter that asks for more gets `missing` views, never a trap).
import { JsonReport, copyKey, numberKind, skipValue, skipWs, stringEnd } from "../core/json";
import { Relation, Text, bytesRelate, textLength, textRelates } from "./text";

export const enum Kind { Missing, String, Number, Bool, Null, Object, Array, Other }

export const VIEWS_PER_CALL: i32 = 512;

@unmanaged export class Value {
  /** First byte of the value's text; 0 for a missing value. */
  start: usize = 0;
  end: usize = 0;
  /**
   * For a string the runner's copy walk scanned: no backslash before this address (its closing
   * quote when it has none), so it can be copied without being read again. 0 when not known.
   */
  plain: usize = 0;

  /** The kind of value, from its first byte. */
  kind(): Kind {
    if (this.start == 0) return Kind.Missing;
    const c = load<u8>(this.start);
    if (c == 0x22) return Kind.String;
    if (c == 0x7b) return Kind.Object;
    if (c == 0x5b) return Kind.Array;
    // Literals by their whole text: Fluent Bit also writes bare words that are none (`nan`, `inf`).
    const n = this.end - this.start;
    if ((c == 0x74 && n == 4) || (c == 0x66 && n == 5)) return Kind.Bool;
    if (c == 0x6e && n == 4 && load<u8>(this.start + 1) == 0x75) return Kind.Null;
    if (c == 0x2d || <u32>(c - 0x30) <= 9) return Kind.Number;
    return Kind.Other;
  }

  get exists(): bool { return this.start != 0; }
  get isString(): bool { return this.start != 0 && load<u8>(this.start) == 0x22; }
  get isNumber(): bool { return this.kind() == Kind.Number; }
  get isObject(): bool { return this.kind() == Kind.Object; }
  get isArray(): bool { return this.kind() == Kind.Array; }
  get isNull(): bool { return this.kind() == Kind.Null; }

  /** true for the JSON literal true, false for anything else. */
  get isTrue(): bool { return this.kind() == Kind.Bool && load<u8>(this.start) == 0x74; }

  // Text of a string value (its decoded bytes); false for every other kind.
  equals(s: string): bool { return this.isString && textRelates(this.start + 1, this.end - 1, s, Relation.Equals); }
  startsWith(s: string): bool { return this.isString && textRelates(this.start + 1, this.end - 1, s, Relation.StartsWith); }
  contains(s: string): bool { return this.isString && textRelates(this.start + 1, this.end - 1, s, Relation.Contains); }

  /** Bytes of a string's text, members of an object, elements of an array; 0 otherwise. */
  length(): i32 {
    const k = this.kind();
    if (k == Kind.String) return textLength(this.start + 1, this.end - 1);
    if (k != Kind.Object && k != Kind.Array) return 0;
    const m = members(this);
    let n = 0;
    while (m.next()) n++;
    return n;
  }

  /** A number's value (15 significant digits and more are read as a double would hold them); NaN for other kinds. */
  number(): f64 {
    return this.isNumber ? parseNumber(this.start, this.end) : NaN;
  }

  /** The member of an object named `name` (the first, if several); missing when none or not an object. */
  get(name: string): Value {
    if (this.kind() != Kind.Object) return MISSING;
    const m = members(this);
    while (m.next()) if (m.key.equals(name)) return view(m.value.start, m.value.end);
    return MISSING;
  }

  // The same, with the name or text from a setting (a Text) instead of a literal.
  getText(name: Text): Value {
    if (this.kind() != Kind.Object) return MISSING;
    const m = members(this);
    while (m.next()) if (m.key.equalsText(name)) return view(m.value.start, m.value.end);
    return MISSING;
  }
  equalsText(t: Text): bool { return this.isString && bytesRelate(this.start + 1, this.end - 1, t.start, t.length, Relation.Equals); }
  startsWithText(t: Text): bool { return this.isString && bytesRelate(this.start + 1, this.end - 1, t.start, t.length, Relation.StartsWith); }
  containsText(t: Text): bool { return this.isString && bytesRelate(this.start + 1, this.end - 1, t.start, t.length, Relation.Contains); }
  /** The number a string holds when its whole text is a JSON number ("500"); NaN otherwise. */
  numberInString(): f64 {
    if (!this.isString) return NaN;
    const p = this.start + 1, end = this.end - 1;
    return isJsonNumber(p, end) ? parseNumber(p, end) : NaN;
  }

  /** The element at `index` of an array; missing when out of range or not an array. */
  at(index: i32): Value {
    if (this.kind() != Kind.Array || index < 0) return MISSING;
    const m = members(this);
    for (let i = 0; m.next(); i++) if (i == index) return view(m.value.start, m.value.end);
    return MISSING;
  }
}

/** Steps through an object's members (key and value) or an array's elements (value only). */
@unmanaged export class Members {
  key: Value;
  value: Value;
  // Where the walk stands (set by members()).
  p: usize = 0;
  end: usize = 0;
  isObject: bool = false;
  started: bool = false;
  last: usize = 0;

  init(key: Value, value: Value, p: usize, end: usize, isObject: bool): Members {
    this.key = key; this.value = value; this.p = p; this.end = end;
    this.isObject = isObject; this.started = false; this.last = 0;
    return this;
  }

  /** Moves to the next member; false at the end (or where the text is broken). */
  next(): bool {
    WALK.broken = false;
    let p = skipWs(this.p, this.end);
    if (p >= this.end) return false;
    if (this.started) {
      if (load<u8>(p) != 0x2c) return false; // the close, or broken text
      p = skipWs(p + 1, this.end);
    }
    this.started = true;
    if (p >= this.end || p == this.last) return false;
    this.last = p;
    const c = load<u8>(p);
    if (c == 0x7d || c == 0x5d) return false;
    if (this.isObject) {
      const keyEnd = c == 0x22 ? stringEnd(p, this.end, WALK) : 0;
      const valueAt = copyKey(p, this.end, false, WALK);
      if (WALK.broken) return false;
      this.key.start = c == 0x22 ? p : 0;
      this.key.end = keyEnd;
      p = valueAt;
    }
    const valueEnd = skipValue(p, this.end, WALK);
    if (WALK.broken) return false;
    this.value.start = p;
    this.value.end = valueEnd;
    this.p = valueEnd;
    return true;
  }
}

/** What the walk of the member next() moves to found. */
const WALK = changetype<JsonReport>(memory.data(<i32>offsetof<JsonReport>(), 8));
const VIEW_SIZE = offsetof<Value>();
const VIEWS: usize = memory.data(<i32>VIEW_SIZE * VIEWS_PER_CALL, 8);
const MEMBERS_PER_CALL: i32 = 64;
const MEMBERS_SIZE = offsetof<Members>();
const MEMBERS: usize = memory.data(<i32>MEMBERS_SIZE * MEMBERS_PER_CALL, 8);
const MISSING = changetype<Value>(memory.data(<i32>VIEW_SIZE, 8));
const NO_MEMBERS = changetype<Members>(memory.data(<i32>MEMBERS_SIZE, 8));

// @ts-ignore: decorator
@lazy let viewsUsed: i32 = 0;
// @ts-ignore: decorator
@lazy let membersUsed: i32 = 0;

/** A new call: every view and member walk of the last one is free again. */
export function resetViews(): void {
  viewsUsed = 0;
  membersUsed = 0;
  MISSING.start = 0; MISSING.end = 0; // a filter may not write them, but never trust a view's fields
}

/** A view of [start, end); missing once the pool is used up. */
export function view(start: usize, end: usize): Value {
  if (viewsUsed >= VIEWS_PER_CALL - 1) return MISSING;
  const v = changetype<Value>(VIEWS + <usize>viewsUsed * VIEW_SIZE);
  viewsUsed++;
  v.start = start;
  v.end = end;
  v.plain = 0;
  return v;
}

/** A walk over the members of an object or the elements of an array (none for other kinds). */
export function members(container: Value): Members {
  const k = container.kind();
  if ((k != Kind.Object && k != Kind.Array) || membersUsed >= MEMBERS_PER_CALL || viewsUsed >= VIEWS_PER_CALL - 3) {
    return NO_MEMBERS.init(MISSING, MISSING, 0, 0, false);
  }
  const m = changetype<Members>(MEMBERS + <usize>membersUsed * MEMBERS_SIZE);
  membersUsed++;
  return m.init(view(0, 0), view(0, 0), container.start + 1, container.end, k == Kind.Object);
}

/** Is [p, end) exactly a JSON number? (core/json.ts's classification, which the mending uses too) */
export function isJsonNumber(p: usize, end: usize): bool {
  return numberKind(p, end - p) != 0;
}

/** A JSON number's text as a double: digits accumulated, then scaled by its power of ten. */
export function parseNumber(p: usize, end: usize): f64 {
  let neg = false;
  if (p < end && load<u8>(p) == 0x2d) { neg = true; p++; }
  let mantissa: f64 = 0;
  let scale: i32 = 0;
  let digits = 0;
  for (; p < end && <u32>(load<u8>(p) - 0x30) <= 9; p++) {
    if (digits < 19) { mantissa = mantissa * 10 + <f64>(load<u8>(p) - 0x30); digits++; } else scale++;
  }
  if (p < end && load<u8>(p) == 0x2e) {
    for (p++; p < end && <u32>(load<u8>(p) - 0x30) <= 9; p++) {
      if (digits < 19) { mantissa = mantissa * 10 + <f64>(load<u8>(p) - 0x30); digits++; scale--; }
    }
  }
  if (p < end && (load<u8>(p) | 0x20) == 0x65) {
    p++;
    let eneg = false;
    if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) { eneg = load<u8>(p) == 0x2d; p++; }
    let e = 0;
    for (; p < end && <u32>(load<u8>(p) - 0x30) <= 9; p++) if (e < 100000) e = e * 10 + <i32>(load<u8>(p) - 0x30);
    scale += eneg ? -e : e;
  }
  const v = scale == 0 ? mantissa : scale > 0 ? mantissa * pow10(scale) : mantissa / pow10(-scale);
  return neg ? -v : v;
}

/** 10^e by squaring (exact up to 10^22; nearest-ish beyond, enough for 15 significant digits). */
export function pow10(e: i32): f64 {
  let r: f64 = 1, b: f64 = 10;
  for (let n = e < 0 ? -e : e; n != 0; n >>= 1) { if (n & 1) r *= b; b *= b; }
  return e < 0 ? 1 / r : r;
}

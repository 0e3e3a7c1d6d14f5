// Text for the SDK, without allocating:
//   - a filter's own strings ("log", "GET /healthz") are AssemblyScript literals (UTF-16, in
//     static data); they are turned into UTF-8 in a fixed buffer when compared or written;
//   - a JSON string in the record is read through a decoder that yields the bytes it stands for
//     (escapes resolved, `\uXXXX` as UTF-8), so comparisons see the text, not its escaping,
//     whatever Fluent Bit's writer escaped (5.x escapes every non-ASCII character by default).
import { findBackslash, findByte } from "../core/scan";
import { hex4, utf8At } from "../core/json-string";
import { putByte, putBytes, reserve, outPos, setOutPos } from "../abi/writer";

/**
 * Bytes that are text already (UTF-8, no escapes): a setting's value, a part of one. A filter
 * gets them from the settings (settings.ts), never builds one.
 */
@unmanaged export class Text {
  start: usize = 0;
  end: usize = 0;
  get length(): i32 { return <i32>(this.end - this.start); }
  get empty(): bool { return this.end <= this.start; }
  is(s: string): bool {
    const n = literalUtf8(s);
    return n == this.length && memory.compare(this.start, literalBytes(), <usize>n) == 0;
  }
  /** One of its comma-separated items is `s` (a list setting: `bearer,email`). */
  lists(s: string): bool {
    const n = literalUtf8(s);
    if (n < 0) return false;
    let p = this.start;
    while (p <= this.end) {
      let q = p;
      while (q < this.end && load<u8>(q) != 0x2c) q++;
      if (q - p == <usize>n && memory.compare(p, literalBytes(), <usize>n) == 0) return true;
      p = q + 1;
    }
    return false;
  }
}

/** The longest literal a filter compares or writes in one piece, in UTF-8 bytes. */
export const LITERAL_MAX: i32 = 4096;

// A filter's strings are literals in static data: the same text always sits at the same address,
// so each one's UTF-8 is made once and kept. CACHED of them are kept, in a pool of POOL bytes,
// the oldest given up first.
const CACHED: i32 = 16;
const POOL: i32 = 8192;
const LITERALS: usize = memory.data(POOL + 8, 8);
const CACHE: usize = memory.data(CACHED * 12, 8); // per entry: the string's address, its bytes' offset and length
// @ts-ignore: decorator
@lazy let cacheNext: i32 = 0;
// @ts-ignore: decorator
@lazy let poolTop: i32 = 0;
// @ts-ignore: decorator
@lazy let lastBytes: usize = 0;

/**
 * The UTF-8 of `s` (valid until the next call of this function at least), its length returned;
 * -1 when it is longer than LITERAL_MAX. A lone surrogate becomes U+FFFD, as in every JSON reader here.
 */
export function literalUtf8(s: string): i32 {
  const id = <u32>changetype<usize>(s);
  for (let i = 0; i < CACHED; i++) {
    const e = CACHE + <usize>(i * 12);
    if (load<u32>(e) == id) { lastBytes = LITERALS + <usize>load<u32>(e, 4); return <i32>load<u32>(e, 8); }
  }
  if (poolTop + LITERAL_MAX + 4 > POOL) poolTop = 0; // the pool starts over: entries pointing into it are dropped below
  const start = LITERALS + <usize>poolTop;
  const n = encodeUtf8(s, start, start + <usize>LITERAL_MAX);
  lastBytes = start;
  if (n < 0) return -1;
  // Drop the entries whose bytes the pool is about to overwrite, then take the next slot.
  for (let i = 0; i < CACHED; i++) {
    const e = CACHE + <usize>(i * 12);
    const off = <i32>load<u32>(e, 4);
    if (load<u32>(e) != 0 && off >= poolTop && off < poolTop + n + 1) store<u32>(e, 0);
  }
  const e = CACHE + <usize>(cacheNext * 12);
  store<u32>(e, id); store<u32>(e, <u32>poolTop, 4); store<u32>(e, <u32>n, 8);
  cacheNext = (cacheNext + 1) % CACHED;
  poolTop += (n + 8) & ~7;
  return n;
}

/** Where literalUtf8() put its bytes. */
// @ts-ignore: decorator
@inline export function literalBytes(): usize {
  return lastBytes;
}

function encodeUtf8(s: string, at: usize, limit: usize): i32 {
  const start = at;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if (at + 4 > limit) return -1;
    let c = <u32>s.charCodeAt(i);
    if (c < 0x80) { store<u8>(at++, <u8>c); continue; }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const lo = <u32>s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00); i++; }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    at = utf8At(at, c);
  }
  return <i32>(at - start);
}

/** Writes `s` as a JSON string, quotes included: UTF-8, with `"`, `\` and control characters escaped. */
export function putJsonLiteral(s: string): void {
  putByte(0x22);
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = <u32>s.charCodeAt(i);
    if (c >= 0x20 && c < 0x80 && c != 0x22 && c != 0x5c) { putByte(<u8>c); continue; }
    if (c < 0x80) { putControlEscape(<u8>c); continue; }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const lo = <u32>s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00); i++; }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (!reserve(4)) return;
    setOutPos(utf8At(outPos, c));
  }
  putByte(0x22);
}

const HEX: usize = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);

function putControlEscape(c: u8): void {
  if (c == 0x22 || c == 0x5c) { putByte(0x5c); putByte(c); return; }
  putByte(0x5c);
  if (c == 0x0a) { putByte(0x6e); return; }
  if (c == 0x09) { putByte(0x74); return; }
  if (c == 0x0d) { putByte(0x72); return; }
  putByte(0x75); putByte(0x30); putByte(0x30);
  putByte(load<u8>(HEX + <usize>(c >> 4))); putByte(load<u8>(HEX + <usize>(c & 15)));
}

/** Writes bytes as the inside of a JSON string (the caller writes the quotes). */
export function putJsonBytes(p: usize, n: usize): void {
  let run = p;
  const end = p + n;
  for (let q = p; q < end; q++) {
    const c = load<u8>(q);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    putBytes(run, q - run);
    putControlEscape(c);
    run = q + 1;
  }
  putBytes(run, end - run);
}

/**
 * Reads the text of an escaped JSON string (its inside, [p, end)) byte by byte: the bytes a JSON
 * reader would make of it. Invalid escapes stay as they are written, like core/json-string.ts.
 * A decoder is two words of state, so a search copies it to try a match and goes on from the copy.
 */
@unmanaged export class Decoder {
  p: usize = 0;
  end: usize = 0;
  /** Bytes of a decoded `\uXXXX` still to give, lowest first, and how many. */
  pending: u32 = 0;
  pendingCount: u32 = 0;

  reset(p: usize, end: usize): void {
    this.p = p; this.end = end; this.pending = 0; this.pendingCount = 0;
  }

  copyFrom(o: Decoder): void {
    this.p = o.p; this.end = o.end; this.pending = o.pending; this.pendingCount = o.pendingCount;
  }

  done(): bool {
    return this.pendingCount == 0 && this.p >= this.end;
  }

  /** The next byte of the text, or -1 at its end. */
  next(): i32 {
    if (this.pendingCount > 0) {
      const b = <i32>(this.pending & 0xff);
      this.pending >>= 8;
      this.pendingCount--;
      return b;
    }
    const p = this.p;
    if (p >= this.end) return -1;
    const c = <i32>load<u8>(p);
    if (c != 0x5c) { this.p = p + 1; return c; }
    const e: u32 = p + 1 < this.end ? <u32>load<u8>(p + 1) : 0;
    switch (e) {
      case 0x22: case 0x5c: case 0x2f: this.p = p + 2; return <i32>e;
      case 0x62: this.p = p + 2; return 0x08;
      case 0x66: this.p = p + 2; return 0x0c;
      case 0x6e: this.p = p + 2; return 0x0a;
      case 0x72: this.p = p + 2; return 0x0d;
      case 0x74: this.p = p + 2; return 0x09;
    }
    const unit = e == 0x75 && p + 6 <= this.end ? hex4(p + 2) : -1;
    if (unit < 0) { this.p = p + 1; return 0x5c; } // not an escape: the backslash is text
    let cp = <u32>unit;
    let q = p + 6;
    if (cp >= 0xd800 && cp <= 0xdbff && q + 6 <= this.end && load<u8>(q) == 0x5c && load<u8>(q + 1) == 0x75) {
      const low = hex4(q + 2);
      if (low >= 0xdc00 && low <= 0xdfff) { cp = 0x10000 + ((cp - 0xd800) << 10) + (<u32>low - 0xdc00); q += 6; }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    this.p = q;
    if (cp < 0x80) return <i32>cp;
    // The first byte now, the others pending.
    if (cp < 0x800) { this.pending = 0x80 | (cp & 0x3f); this.pendingCount = 1; return <i32>(0xc0 | (cp >> 6)); }
    if (cp < 0x10000) {
      this.pending = (0x80 | ((cp >> 6) & 0x3f)) | ((0x80 | (cp & 0x3f)) << 8); this.pendingCount = 2;
      return <i32>(0xe0 | (cp >> 12));
    }
    this.pending = (0x80 | ((cp >> 12) & 0x3f)) | ((0x80 | ((cp >> 6) & 0x3f)) << 8) | ((0x80 | (cp & 0x3f)) << 16);
    this.pendingCount = 3;
    return <i32>(0xf0 | (cp >> 18));
  }
}

const OUTER = changetype<Decoder>(memory.data(offsetof<Decoder>(), 8));
const INNER = changetype<Decoder>(memory.data(offsetof<Decoder>(), 8));

/** Does the decoder's text, from where it stands, begin with the n bytes at lit? Moves `d`. */
function matchesAt(d: Decoder, lit: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (d.next() != <i32>load<u8>(lit + <usize>i)) return false;
  return true;
}

/** How the text of the escaped string [p, end) relates to `s`. */
export const enum Relation { Equals, StartsWith, Contains }

export function textRelates(p: usize, end: usize, s: string, how: Relation): bool {
  const n = literalUtf8(s);
  return n >= 0 && bytesRelate(p, end, literalBytes(), n, how);
}

/** The same for n bytes at lit (a setting's text, already UTF-8). */
export function bytesRelate(p: usize, end: usize, lit: usize, n: i32, how: Relation): bool {
  // No backslash: the text is the bytes as they are.
  if (findBackslash(p, end) >= end) {
    const len = <i32>(end - p);
    if (how == Relation.Equals) return len == n && memory.compare(p, lit, <usize>n) == 0;
    if (how == Relation.StartsWith) return len >= n && memory.compare(p, lit, <usize>n) == 0;
    if (n == 0) return true;
    if (<usize>n > end - p) return false;
    const first = load<u8>(lit);
    const lastStart = end - <usize>n;
    for (let q = p; q <= lastStart && q < end; q++) {
      q = findByte(q, lastStart + 1, first);
      if (q > lastStart) return false;
      if (memory.compare(q, lit, <usize>n) == 0) return true;
    }
    return false;
  }
  OUTER.reset(p, end);
  if (how != Relation.Contains) return matchesAt(OUTER, lit, n) && (how == Relation.StartsWith || OUTER.done());
  for (;;) {
    INNER.copyFrom(OUTER);
    if (matchesAt(INNER, lit, n)) return true;
    if (OUTER.next() < 0) return false;
  }
  return false;
}

/** Bytes of the text of the escaped string [p, end). */
export function textLength(p: usize, end: usize): i32 {
  if (findBackslash(p, end) >= end) return <i32>(end - p);
  OUTER.reset(p, end);
  let n = 0;
  while (OUTER.next() >= 0) n++;
  return n;
}

const LEFT = changetype<Decoder>(memory.data(offsetof<Decoder>(), 8));
const RIGHT = changetype<Decoder>(memory.data(offsetof<Decoder>(), 8));

/** Do two escaped strings (their insides) hold the same text, however each was escaped? */
export function sameText(a: usize, aEnd: usize, b: usize, bEnd: usize): bool {
  if (aEnd - a == bEnd - b && memory.compare(a, b, aEnd - a) == 0) return true;
  LEFT.reset(a, aEnd);
  RIGHT.reset(b, bEnd);
  for (;;) {
    const x = LEFT.next(), y = RIGHT.next();
    if (x != y) return false;
    if (x < 0) return true;
  }
  return false;
}

// Word-at-a-time search, 16 or 32 bytes per step. Fluent Bit's WAMR interprets every instruction, so a
// byte-at-a-time loop over a long message is most of a filter's cost; testing a whole u64 for a
// byte value (Mycroft's has-zero-byte trick on x ^ pattern) takes a handful of instructions.
//
// The searches may load up to 15 bytes past `end` (never past the end of linear memory) and
// ignore what they find there: a string's last bytes cost no byte-by-byte loop.

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const QUOTES: u64 = 0x2222222222222222;
const BACKSLASHES: u64 = 0x5c5c5c5c5c5c5c5c;

/**
 * High bit set in every byte of v that is zero, and perhaps in bytes above a zero byte (a borrow
 * runs upward), never below the first one: so the lowest set bit marks the first zero byte.
 */
// @ts-ignore: decorator
@inline function zeroBytes(v: u64): u64 {
  return (v - ONES) & ~v; // callers mask with HIGHS once for all their patterns
}

// @ts-ignore: decorator
@inline function quoteOrBackslash(x: u64): u64 {
  return (zeroBytes(x ^ QUOTES) | zeroBytes(x ^ BACKSLASHES)) & HIGHS;
}

/** quoteOrBackslash() before its mask: the high bits mean the same, the others are noise. */
// @ts-ignore: decorator
@inline function quoteOrBackslashUnmasked(x: u64): u64 {
  return zeroBytes(x ^ QUOTES) | zeroBytes(x ^ BACKSLASHES);
}

// @ts-ignore: decorator
@inline function backslash(x: u64): u64 {
  return zeroBytes(x ^ BACKSLASHES) & HIGHS;
}

/** The highest address a 16-byte load may start at. */
// @ts-ignore: decorator
@inline function lastLoad(): usize {
  return ((<usize>memory.size()) << 16) - 16;
}

/** Address of the first marked byte of the 16 at p (a: the first 8, b: the next 8), capped at end. */
// @ts-ignore: decorator
@inline function firstHit(p: usize, a: u64, b: u64, end: usize): usize {
  const at = a != 0 ? p + (<usize>ctz(a) >> 3) : p + 8 + (<usize>ctz(b) >> 3);
  return at < end ? at : end;
}

/** The first `"` or `\` in [p, end), or `end`. */
export function findQuoteOrBackslash(p: usize, end: usize): usize {
  const last = lastLoad();
  // Most strings are keys and short values: one word first, then four at a time (a long
  // message is most of a record), the high-bit mask taken once for all four.
  if (p < end && p <= last) {
    const a = quoteOrBackslash(load<u64>(p));
    if (a != 0) { const at = p + (<usize>ctz(a) >> 3); return at < end ? at : end; }
    p += 8;
  }
  const last32 = last - 16;
  while (p < end && p <= last32) {
    const a = quoteOrBackslashUnmasked(load<u64>(p)), b = quoteOrBackslashUnmasked(load<u64>(p, 8));
    const c = quoteOrBackslashUnmasked(load<u64>(p, 16)), d = quoteOrBackslashUnmasked(load<u64>(p, 24));
    if (((a | b | c | d) & HIGHS) != 0) {
      if (((a | b) & HIGHS) == 0) { p += 16; return firstHit(p, c & HIGHS, d & HIGHS, end); }
      return firstHit(p, a & HIGHS, b & HIGHS, end);
    }
    p += 32;
  }
  while (p < end && p <= last) {
    const a = quoteOrBackslash(load<u64>(p));
    const b = quoteOrBackslash(load<u64>(p, 8));
    if ((a | b) != 0) return firstHit(p, a, b, end);
    p += 16;
  }
  while (p < end) { // only within 16 bytes of the end of memory
    const c = load<u8>(p);
    if (c == 0x22 || c == 0x5c) return p;
    p++;
  }
  return end;
}

/** The first `\` in [p, end), or `end`. */
export function findBackslash(p: usize, end: usize): usize {
  const last = lastLoad();
  while (p < end && p <= last) {
    const a = backslash(load<u64>(p));
    const b = backslash(load<u64>(p, 8));
    if ((a | b) != 0) return firstHit(p, a, b, end);
    p += 16;
  }
  while (p < end) {
    if (load<u8>(p) == 0x5c) return p;
    p++;
  }
  return end;
}

/** The first byte `b` in [p, end), or `end`: the first byte of a searched text, 16 bytes a step. */
export function findByte(p: usize, end: usize, b: u8): usize {
  const last = lastLoad();
  const pattern = ONES * <u64>b;
  while (p < end && p <= last) {
    const x = zeroBytes(load<u64>(p) ^ pattern) & HIGHS;
    const y = zeroBytes(load<u64>(p, 8) ^ pattern) & HIGHS;
    if ((x | y) != 0) return firstHit(p, x, y, end);
    p += 16;
  }
  while (p < end) {
    if (load<u8>(p) == b) return p;
    p++;
  }
  return end;
}

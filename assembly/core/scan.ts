// Word-at-a-time search, 8 bytes per step. Fluent Bit's WAMR interprets every instruction, so a
// byte-at-a-time loop over a long message is most of a filter's cost; testing a whole u64 for a
// byte value (Mycroft's has-zero-byte trick on x ^ pattern) takes a handful of instructions.

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const QUOTES: u64 = 0x2222222222222222;
const BACKSLASHES: u64 = 0x5c5c5c5c5c5c5c5c;

// @ts-ignore: decorator
@inline function hasByte(x: u64, pattern: u64): bool {
  const v = x ^ pattern;
  return ((v - ONES) & ~v & HIGHS) != 0;
}

/** The first `"` or `\` in [p, end), or `end`. */
export function findQuoteOrBackslash(p: usize, end: usize): usize {
  while (p + 8 <= end) {
    const x = load<u64>(p);
    if (hasByte(x, QUOTES) || hasByte(x, BACKSLASHES)) break;
    p += 8;
  }
  while (p < end) {
    const c = load<u8>(p);
    if (c == 0x22 || c == 0x5c) return p;
    p++;
  }
  return end;
}

/** The first `\` in [p, end), or `end`. */
export function findBackslash(p: usize, end: usize): usize {
  while (p + 8 <= end) {
    if (hasByte(load<u64>(p), BACKSLASHES)) break;
    p += 8;
  }
  while (p < end) {
    if (load<u8>(p) == 0x5c) return p;
    p++;
  }
  return end;
}

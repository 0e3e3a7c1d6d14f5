// Lines of a JSON-escaped text (the inside of a string as Fluent Bit wrote it): a line break is
// the two bytes `\n`, so a line ends at a backslash followed by `n` (found 16 bytes a step).
import { findBackslash } from "./scan";

/** Address just after the line break that ends the line starting at p, or `end`. */
export function nextLine(p: usize, end: usize): usize {
  for (;;) {
    p = findBackslash(p, end);
    if (p >= end) return end;
    if (p + 1 < end && load<u8>(p + 1) == 0x6e) return p + 2;
    p += 2;
  }
  return end;
}

/** End of a line's text: before the `\n` that `nextLine` stepped over. */
export function lineTextEnd(line: usize, next: usize): usize {
  return next - line >= 2 && load<u8>(next - 2) == 0x5c && load<u8>(next - 1) == 0x6e ? next - 2 : next;
}

/**
 * Bytes of the decoded text that [p, end) of escaped JSON holds; it has no backslash before
 * `clean` (what stringEnd() found), so only the rest is scanned.
 */
export function decodedLength(p: usize, end: usize, clean: usize): i32 {
  let n = <i32>(end - p);
  if (clean > p) p = clean < end ? clean : end;
  for (;;) {
    p = findBackslash(p, end);
    if (p >= end) return n;
    if (p + 1 < end && load<u8>(p + 1) == 0x75 && p + 6 <= end) {
      // \uXXXX: 1-3 bytes of UTF-8 (a surrogate half counts 2, so a pair counts 4)
      let v: u32 = 0;
      for (let k: usize = 2; k < 6; k++) {
        const c = <u32>load<u8>(p + k);
        v = (v << 4) | (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
      }
      n -= 6 - (v < 0x80 ? 1 : v < 0x800 ? 2 : v >= 0xd800 && v <= 0xdfff ? 2 : 3);
      p += 6;
    } else {
      n -= 1; // a two-byte escape is one byte
      p += 2;
    }
  }
  return n;
}

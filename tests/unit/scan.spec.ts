// core/scan.ts: the word-at-a-time searches against a byte-by-byte search, for every length of
// text and every position of the byte sought (the 8-, 16- and 32-byte steps and their tails);
// abi/writer.ts's putAscii, four characters a step, for every length.
import { findBackslash, findByte, findQuoteOrBackslash } from "../../assembly/core/scan";
import { putAscii } from "../../assembly/abi/writer";
import { outputText, startOutput } from "./helpers";

const MAX: i32 = 100;

function filled(n: i32): usize {
  const p = heap.alloc(<usize>n + 64); // room for the searches' over-reads
  memory.fill(p, 0x61, <usize>n + 64);
  return p;
}

function naive(p: usize, end: usize, a: u8, b: u8): usize {
  for (let q = p; q < end; q++) { const c = load<u8>(q); if (c == a || c == b) return q; }
  return end;
}

describe("findQuoteOrBackslash / findBackslash / findByte", () => {
  it("finds the first byte sought at every position of texts of every length, and none past the end", () => {
    const seek: u8[] = [0x22, 0x5c];
    for (let n = 0; n <= MAX; n++) {
      const p = filled(n);
      const end = p + <usize>n;
      expect(findQuoteOrBackslash(p, end)).toBe(end);
      store<u8>(end, 0x22); // a quote just past the end is not found
      expect(findQuoteOrBackslash(p, end)).toBe(end);
      for (let at = 0; at < n; at++) {
        for (let k = 0; k < 2; k++) {
          store<u8>(p + <usize>at, seek[k]);
          if (at + 3 < n) store<u8>(p + <usize>at + 3, seek[1 - k]); // a later hit changes nothing
          expect(findQuoteOrBackslash(p, end)).toBe(naive(p, end, 0x22, 0x5c), `n=${n} at=${at}`);
          expect(findBackslash(p, end)).toBe(naive(p, end, 0x5c, 0x5c), `n=${n} at=${at}`);
          expect(findByte(p, end, seek[k])).toBe(naive(p, end, seek[k], seek[k]), `n=${n} at=${at}`);
          memory.fill(p, 0x61, <usize>n);
        }
      }
    }
  });
});

describe("putAscii", () => {
  it("writes a literal of every length exactly", () => {
    const all = "\"drift_ms\":{\"invalid_json\":true},0123456789abcdefghijklmnopqrstuvwxyz";
    for (let n = 0; n <= all.length; n++) {
      startOutput();
      putAscii(all.substring(0, n));
      expect(outputText()).toBe(all.substring(0, n));
    }
  });
});

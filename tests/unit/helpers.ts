// Byte helpers for the AssemblyScript unit tests. Test data lives in raw heap blocks (heap.alloc),
// never in managed objects, because the code under test reads and writes linear memory directly.
import { outPos, outReset, outStart } from "../../assembly/abi/writer";

/** A copy of a hex string's bytes; the block is never freed (tests are short). */
export function hexBytes(hex: string): usize {
  const n = hex.length >> 1;
  const p = heap.alloc(<usize>n + 1);
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>I32.parseInt(hex.substr(i << 1, 2), 16));
  store<u8>(p + <usize>n, 0);
  return p;
}

/** A copy of a string's UTF-8 bytes, NUL-terminated as Fluent Bit's copies are. */
export function text(s: string): usize {
  const b = String.UTF8.encode(s);
  const n = <usize>b.byteLength;
  const p = heap.alloc(n + 1);
  memory.copy(p, changetype<usize>(b), n);
  store<u8>(p + n, 0);
  return p;
}

export function textLen(s: string): usize {
  return <usize>String.UTF8.byteLength(s);
}

/** Hex of [p, p + n). */
export function toHex(p: usize, n: usize): string {
  let s = "";
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(p + i);
    s += (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

const OUT_SIZE: usize = 1 << 20;
// @ts-ignore: decorator
@lazy let outBlock: usize = 0;

/** Starts a fresh output buffer (outside the AssemblyScript heap's managed objects). */
export function startOutput(): void {
  if (outBlock == 0) outBlock = heap.alloc(OUT_SIZE);
  outReset(outBlock, OUT_SIZE);
}

export function outputHex(): string {
  return toHex(outStart, outPos - outStart);
}

export function outputText(): string {
  return String.UTF8.decodeUnsafe(outStart, outPos - outStart);
}

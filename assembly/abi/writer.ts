// The output buffer: written forward from the address beginCall() gives, grown on demand.
// Every write checks capacity once per call site through reserve(); a failed grow sets `failed`
// and later writes become no-ops, so the filter can fall back to returning its input.
import { ensureMemory } from "./arena";
import { guardFrom, guarded } from "./guard";

// @ts-ignore: decorator
@lazy export let outStart: usize = 0;
// @ts-ignore: decorator
@lazy export let outPos: usize = 0;
// @ts-ignore: decorator
@lazy export let outFailed: bool = false;
/** Writes up to here need no check of the memory size (kept so the hot path skips memory.size). */
// @ts-ignore: decorator
@lazy let outLimit: usize = 0;

export function outReset(start: usize, expected: usize): void {
  if (guarded()) guardFrom(start);
  outStart = start;
  outPos = start;
  outFailed = !ensureMemory(start + expected);
  outLimit = outFailed ? 0 : (<usize>memory.size()) << 16;
}

/** For writers that store directly after reserve(): where the output continues. */
export function setOutPos(p: usize): void {
  outPos = p;
}

/** Room for n more bytes. */
// @ts-ignore: decorator
@inline export function reserve(n: usize): bool {
  if (outPos + n <= outLimit) return true;
  return grow(n);
}

function grow(n: usize): bool {
  if (outFailed) return false;
  if (!ensureMemory(outPos + n)) { outFailed = true; outLimit = 0; return false; }
  outLimit = (<usize>memory.size()) << 16;
  return true;
}

export function putByte(b: u8): void {
  if (!reserve(1)) return;
  store<u8>(outPos, b);
  outPos++;
}

export function putBytes(src: usize, len: usize): void {
  if (len == 0 || !reserve(len)) return;
  memory.copy(outPos, src, len);
  outPos += len;
}

/** Writes an ASCII literal given as a static string (UTF-16 in AssemblyScript). */
export function putAscii(s: string): void {
  const n = <usize>s.length;
  if (!reserve(n)) return;
  const p = changetype<usize>(s);
  // Four characters a step: the u64 of four UTF-16 units `a0b0c0d0` (their high bytes are zero)
  // folds into the u32 `abcd` in two shift-or steps.
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const w = load<u64>(p + (i << 1));
    const x = (w | (w >> 8)) & 0x0000ffff0000ffff;
    store<u32>(outPos + i, <u32>(x | (x >> 16)));
  }
  for (; i < n; i++) store<u8>(outPos + i, <u8>load<u16>(p + (i << 1)));
  outPos += n;
}

/** Writes a string's bytes as the inside of a JSON string, escaping `"` and `\\` and controls. */
export function putJsonEscaped(src: usize, len: usize): void {
  if (!reserve(len * 6)) return;
  for (let i: usize = 0; i < len; i++) {
    const c = load<u8>(src + i);
    if (c == 0x22 || c == 0x5c) { store<u8>(outPos++, 0x5c); store<u8>(outPos++, c); }
    else if (c < 0x20) {
      store<u8>(outPos++, 0x5c); store<u8>(outPos++, 0x75); store<u8>(outPos++, 0x30); store<u8>(outPos++, 0x30);
      store<u8>(outPos++, <u8>(0x30 + (c >> 4)));
      const lo = c & 15;
      store<u8>(outPos++, <u8>(lo < 10 ? 0x30 + lo : 0x57 + lo));
    } else store<u8>(outPos++, c);
  }
}

// Decimal digits, two per step from a table: WAMR pays for every instruction, and a division by
// 100 yields two digits where a division by 10 yields one.
import { outPos, reserve, setOutPos } from "../abi/writer";

/** "00" "01" … "99": two ASCII digits per u16. */
const PAIRS: usize = memory.data<u8>([
  48, 48, 48, 49, 48, 50, 48, 51, 48, 52, 48, 53, 48, 54, 48, 55, 48, 56, 48, 57, 49, 48, 49, 49, 49, 50, 49, 51, 49, 52, 49, 53, 49, 54, 49, 55, 49, 56, 49, 57,
  50, 48, 50, 49, 50, 50, 50, 51, 50, 52, 50, 53, 50, 54, 50, 55, 50, 56, 50, 57, 51, 48, 51, 49, 51, 50, 51, 51, 51, 52, 51, 53, 51, 54, 51, 55, 51, 56, 51, 57,
  52, 48, 52, 49, 52, 50, 52, 51, 52, 52, 52, 53, 52, 54, 52, 55, 52, 56, 52, 57, 53, 48, 53, 49, 53, 50, 53, 51, 53, 52, 53, 53, 53, 54, 53, 55, 53, 56, 53, 57,
  54, 48, 54, 49, 54, 50, 54, 51, 54, 52, 54, 53, 54, 54, 54, 55, 54, 56, 54, 57, 55, 48, 55, 49, 55, 50, 55, 51, 55, 52, 55, 53, 55, 54, 55, 55, 55, 56, 55, 57,
  56, 48, 56, 49, 56, 50, 56, 51, 56, 52, 56, 53, 56, 54, 56, 55, 56, 56, 56, 57, 57, 48, 57, 49, 57, 50, 57, 51, 57, 52, 57, 53, 57, 54, 57, 55, 57, 56, 57, 57,
]);

/** Writes v (0-99) as two digits at `at`. */
// @ts-ignore: decorator
@inline export function putPair(at: usize, v: u32): void {
  store<u16>(at, load<u16>(PAIRS + (<usize>v << 1)));
}

const SCRATCH: usize = memory.data(24);

/** Writes v in decimal. */
export function putUint(v: u64): void {
  if (!reserve(20)) return;
  // Right to left into a scratch buffer, then one copy.
  let at = SCRATCH + 20;
  while (v >= 100) {
    const q = v / 100;
    at -= 2;
    putPair(at, <u32>(v - q * 100));
    v = q;
  }
  if (v >= 10) { at -= 2; putPair(at, <u32>v); }
  else { at--; store<u8>(at, <u8>(0x30 + <u32>v)); }
  const n = SCRATCH + 20 - at;
  memory.copy(outPos, at, n);
  setOutPos(outPos + n);
}

export function putInt(v: i64): void {
  if (v < 0) {
    if (!reserve(21)) return;
    store<u8>(outPos, 0x2d);
    setOutPos(outPos + 1);
    putUint(<u64>0 - <u64>v); // i64.MIN_VALUE too
  } else putUint(<u64>v);
}

/** Deterministic generators of hostile records for the fuzz tests and `npm run fuzz`. */
import { MpValue, mp } from "../../harness/msgpack.ts";

import type { Rng } from "../../harness/random.ts";
export type { Rng } from "../../harness/random.ts";
export { rng } from "../../harness/random.ts";

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rng, n: number) => Math.floor(r() * n);

const PIECES = [
  "2023-10-16T09:48:55.123456789Z stderr F ", "2023-10-16T09:48:55Z stdout P ", "2024-02-30T00:00:00Z stdout F ",
  "2023-10-16T15:04:05+09:00 stderr F ", "\n", "\n2023-10-16T09:48:56.5Z stdout F ", "\t", "  File \"x.py\", line 1", "Caused by: x",
  "Traceback (most recent call last):", "\"", "\\", "\\u12", "\\x41", "{", "}", "[", "]", ":", ",", "é", "😀", "\u2028", "\u0000", "\u007f",
  "stdout", "stderr", " F ", " P ", "ZeroDivisionError: division by zero", "...", "null", "nan", "1e+400",
];

export function randomBytes(r: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

/** A string built from CRI and JSON fragments, with raw invalid UTF-8 bytes now and then. */
export function nastyString(r: Rng, max = 12): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = int(r, max); i >= 0; i--) {
    if (r() < 0.1) parts.push(randomBytes(r, 1 + int(r, 4)));
    else parts.push(Buffer.from(pick(r, PIECES), "utf8"));
  }
  return Buffer.concat(parts);
}

export function randomScalar(r: Rng): MpValue {
  switch (int(r, 12)) {
    case 0: return mp.nil();
    case 1: return mp.bool(r() < 0.5);
    case 2: return mp.int(pick(r, [0, 1, -1, 127, 128, -33, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1]));
    case 3: return { t: "int", v: pick(r, [2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 63n]) };
    case 4: return { t: "float", v: pick(r, [0, -0, 0.1, 1.5, 1e21, 1e-7, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 63]), bits: 64 };
    case 5: return { t: "float", v: pick(r, [0.1, 1.5, NaN, 3.4028234663852886e38]), bits: 32 };
    case 6: return { t: "bin", b: randomBytes(r, int(r, 8)) };
    case 7: return { t: "ext", type: int(r, 256) - 128, b: randomBytes(r, pick(r, [1, 2, 4, 8, 16, 3])) };
    default: return { t: "str", b: nastyString(r) };
  }
}

export function randomValue(r: Rng, depth: number): MpValue {
  if (depth <= 0 || r() < 0.6) return randomScalar(r);
  if (r() < 0.5) return mp.arr(Array.from({ length: int(r, 4) }, () => randomValue(r, depth - 1)));
  return randomMap(r, depth - 1, 4);
}

export function randomKey(r: Rng): MpValue {
  if (r() < 0.85) return mp.str(pick(r, ["log", "time", "stream", "_p", "@timestamp", "_event_time", "cri_check", "kubernetes", "msg", "a", "", "k\"\\é", "log"]));
  return randomValue(r, 2);
}

export function randomMap(r: Rng, depth: number, maxKeys: number): MpValue {
  return mp.map(Array.from({ length: int(r, maxKeys + 1) }, () => [randomKey(r), randomValue(r, depth)] as [MpValue, MpValue]));
}

/** A record shaped like the ones Fluent Bit hands the filter, then mutated. */
export function randomRecord(r: Rng, seeds: MpValue[]): MpValue {
  const roll = r();
  if (roll < 0.3) return randomMap(r, 6, 8);
  const base = pick(r, seeds);
  if (base.t !== "map") return base;
  const entries = base.entries.map(([k, v]) => [k, v] as [MpValue, MpValue]);
  for (let n = int(r, 4); n > 0; n--) {
    const what = int(r, 4);
    if (what === 0 && entries.length) entries[int(r, entries.length)][1] = { t: "str", b: nastyString(r, 30) };
    else if (what === 1) entries.push([randomKey(r), randomValue(r, 5)]);
    else if (what === 2 && entries.length) entries.splice(int(r, entries.length), 1);
    else if (entries.length) {
      const [k, v] = entries[int(r, entries.length)];
      if (v.t === "str") {
        const b = Buffer.from(v.b);
        const at = int(r, b.length + 1);
        entries.push([k, { t: "str", b: Buffer.concat([b.subarray(0, at), nastyString(r, 3), b.subarray(at)]) }]);
      }
    }
  }
  return mp.map(entries);
}

/**
 * harness/lua/driver.lua's numbers, against the bytes themselves. The driver turns msgpack numbers
 * into Lua numbers and back by arithmetic on their IEEE 754 and two's complement fields (a JIT-
 * compiled FFI union once gave a double back as the one read before it). Here random bit patterns
 * of every number form go through the passthrough script, and each comes back as DataView and
 * BigInt read the same bytes, then as LuaJIT holds a number (src/flb_lua.c):
 *   - every number is a double; a 64-bit integer is rounded to one, and one that rounds to 2^63 or
 *     beyond becomes INT64_MIN (the C cast on x86-64);
 *   - a double that is integral and inside the int64 range goes back as an integer, any other as a
 *     float64; every NaN is one NaN.
 * Whether this is what Fluent Bit does is tests/real-differential.test.ts's question (the corpus
 * holds each float class through real Fluent Bit's Lua filter); this one asks whether the driver
 * reads every bit of its input.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { callLua } from "../harness/lua-filter.ts";
import { MpValue, mapGet } from "../harness/msgpack.ts";
import { rng } from "./helpers/fuzz.ts";

const TWO63 = 2 ** 63;

/** One number's msgpack bytes and the Lua number they make. */
function randomNumber(r: () => number): { bytes: number[]; lua: number } {
  const bits = new DataView(new ArrayBuffer(8));
  const kind = Math.floor(r() * 5);
  for (let i = 0; i < 8; i++) bits.setUint8(i, Math.floor(r() * 256));
  // Exponent fields pulled to the edges now and then: zero and subnormals, infinities and NaNs.
  if (r() < 0.2) bits.setUint16(0, (bits.getUint16(0) & 0x800f) | (r() < 0.5 ? 0 : 0x7ff0));
  const raw = Array.from({ length: 8 }, (_, i) => bits.getUint8(i));
  switch (kind) {
    case 0: return { bytes: [0xcb, ...raw], lua: bits.getFloat64(0) };
    case 1: return { bytes: [0xca, ...raw.slice(0, 4)], lua: bits.getFloat32(0) };
    case 2: { const d = Number(bits.getBigUint64(0)); return { bytes: [0xcf, ...raw], lua: d >= TWO63 ? -TWO63 : d }; }
    case 3: { const d = Number(bits.getBigInt64(0)); return { bytes: [0xd3, ...raw], lua: d >= TWO63 ? -TWO63 : d }; }
    default: { // an everyday double, eighths up to a million: the values of real records
      bits.setFloat64(0, Math.floor(r() * 2 ** 23) / 8);
      return { bytes: [0xcb, ...Array.from({ length: 8 }, (_, i) => bits.getUint8(i))], lua: bits.getFloat64(0) };
    }
  }
}

/** What Fluent Bit's Lua filter writes for a Lua number. */
function written(d: number): MpValue {
  if (Number.isInteger(d) && d >= -TWO63 && d < TWO63) return { t: "int", v: BigInt(d) };
  return { t: "float", v: d, bits: 64 };
}

test("the Lua driver gives back every number as its bytes say: 100,000 random bit patterns of float32, float64, int64, uint64", () => {
  const r = rng(97);
  const records = Array.from({ length: 2500 }, () => Array.from({ length: 40 }, () => randomNumber(r)));
  const body = (nums: { bytes: number[] }[]) => new Uint8Array([0x81, 0xa1, 0x76, 0xdc, 0, nums.length, ...nums.flatMap((n) => n.bytes)]);
  const { results } = callLua("none", "passthrough", records.map((nums) => ({ tag: "t", sec: 1, nsec: 2, body: body(nums) })));
  assert.equal(results.length, records.length);
  let nans = 0, subnormals = 0, floats = 0;
  results.forEach((res, i) => {
    const items = (mapGet(res.body, "v") as Extract<MpValue, { t: "arr" }>).items;
    records[i].forEach((n, j) => {
      const got = items[j], want = written(n.lua);
      const where = `record ${i}, number ${j}: ${n.bytes.map((b) => b.toString(16).padStart(2, "0")).join("")}`;
      if (Number.isNaN(n.lua)) { nans++; assert.ok(got.t === "float" && Number.isNaN(got.v), where); return; }
      if (n.lua !== 0 && Math.abs(n.lua) < 2 ** -1022) subnormals++;
      if (want.t === "float") floats++;
      assert.deepEqual(got, want, where);
    });
  });
  // The patterns reach every class (the counts are the seed's, they only guard the generator).
  assert.ok(nans > 1000 && subnormals > 1000 && floats > 30_000, `${nans} NaNs, ${subnormals} subnormals, ${floats} floats`);
});

test("the Lua driver writes every NaN as LuaJIT's own: sign bit set, quiet", () => {
  const nans = [[0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 1], [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], [0xca, 0x7f, 0xc0, 0, 1]];
  const { results } = callLua("none", "passthrough", nans.map((n) => ({ tag: "t", sec: 1, nsec: 2, body: new Uint8Array([0x81, 0xa1, 0x76, ...n]) })));
  for (const res of results) assert.deepEqual([...res.bodyBytes], [0x81, 0xa1, 0x76, 0xcb, 0xff, 0xf8, 0, 0, 0, 0, 0, 0]);
});

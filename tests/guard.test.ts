/**
 * No filter writes outside its own output: in a debug build with guard bytes after every block
 * the allocator hands out and after the output (assembly/abi/guard.ts), every record of the
 * recordings, of a fuzz corpus and of hostile inputs leaves every guard intact and the tag and
 * record copies unchanged. Reads are not checked this way: the scans may read up to 15 bytes past
 * a string (inside linear memory) and ignore what they find there, by design (core/scan.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Direct, guardedWasm } from "./helpers/probes.ts";
import { fluentBitJson } from "../harness/fb-json-out.ts";
import { decode, mp } from "../harness/msgpack.ts";
import { randomBytes, randomRecord, rng } from "./helpers/fuzz.ts";
import { runs } from "../harness/recordings.ts";
import { SHIPPED } from "../scripts/shipped.ts";

const TAG = Buffer.from("kube.var.log.containers.orders-api-d88374c3b-vsj6v_shop_orders-api-8b140eb61a5290045191f84ae2b58980b566addb8643675a69c540bcb6703bf1.log");
const FUNCTIONS = SHIPPED[0].functions.map((f) => f.name);

function inputs(): Uint8Array[] {
  const json = (b: ReturnType<typeof decode>, escapeUnicode: boolean) => fluentBitJson(b, { dialect: "v5", escapeUnicode, nanToNull: false });
  const recorded = runs().flatMap((r) => r.events.map((e) => decode(e.body)));
  const r = rng(2718);
  const out: Uint8Array[] = recorded.map((b) => json(b, true));
  for (let i = 0; i < 4000; i++) out.push(json(randomRecord(r, recorded.slice(0, 200)), r() < 0.5));
  for (let i = 0; i < 2000; i++) out.push(randomBytes(r, Math.floor(r() * 200)).map((b) => b || 1)); // not JSON at all
  out.push(json(mp.obj({ log: mp.str("2023-10-16T09:48:55.123456789Z stdout F " + "x\n".repeat(300_000)) }), true));
  out.push(Buffer.from(`{"a":${"[".repeat(5000)}${"]".repeat(5000)}}`));
  return out;
}

test("every record, every filter: no guard byte changes, tag and record copies untouched", () => {
  const records = inputs();
  for (const fn of FUNCTIONS) {
    // A fresh instance per function: the hostile inputs come last, so that memory (every byte of
    // which past the output is checked after each call) grows only at the end.
    const d = new Direct(guardedWasm());
    for (const [i, rec] of records.entries()) {
      const [t, tl] = d.put(TAG);
      const [p, n] = d.put(rec);
      const out = d.ex[fn](t, tl, 1795415418, 559634260, p, n) >>> 0;
      assert.ok(out > 0, `${fn} record ${i}: a result`);
      const bad = d.ex.guard_check() >>> 0;
      assert.equal(bad, 0, `${fn} record ${i}: byte ${bad} outside the output changed`);
      assert.deepEqual(Buffer.from(d.mem.subarray(p, p + n)), Buffer.from(rec), `${fn} record ${i}: the record copy is unchanged`);
      assert.deepEqual(Buffer.from(d.mem.subarray(t, t + tl)), TAG, `${fn} record ${i}: the tag copy is unchanged`);
      d.ex.free(p);
      d.ex.free(t);
    }
  }
});

test("the guards catch a write past the output", () => {
  const d = new Direct(guardedWasm());
  const [t, tl] = d.put(TAG);
  const [p, n] = d.put('{"log":"x"}');
  d.ex.overrun(t, tl, 0, 0, p, n);
  assert.notEqual(d.ex.guard_check(), 0);
  const [t2, tl2] = d.put(TAG);
  const rec = Buffer.from('{"log":"x"}');
  const [p2, n2] = d.put(rec);
  d.ex.scribble(t2, tl2, 0, 0, p2, n2);
  assert.notDeepEqual(Buffer.from(d.mem.subarray(p2, p2 + n2)), rec, "a write into the record copy is seen");
});

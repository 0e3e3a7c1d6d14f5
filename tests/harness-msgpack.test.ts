/**
 * The harness against every msgpack-mode vector recorded from real Fluent Bit v5.1.1: the bytes a
 * filter receives (msgpack-c's re-encoding of the stored body), and what Fluent Bit makes of
 * returned buffers cut at their first NUL and appended to the chunk unchecked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { FilterWasm, StartupError } from "../harness/filter-wasm.ts";
import { decode, encode, hex } from "../harness/msgpack.ts";
import { probeWasm } from "./helpers/probes.ts";
import { bodyHex, filterLogLines, inputEvent, loadVectors, outputChunk } from "./helpers/vectors.ts";

const probe = probeWasm();

test("msgpack input 5.1.1: received bytes and copy+NUL passthrough of every body", () => {
  const d = loadVectors("msgpack-input.v5.1.1.json");
  const pass = new FilterWasm({ wasm: probe, functionName: "mpass", eventFormat: "msgpack" });
  let checked = 0;
  for (const v of d.vectors) {
    if (!v.stored_body_hex) continue;
    const ev = inputEvent(v);
    if (v.received.not_seen) {
      assert.equal(pass.filterChunk([ev]).events.length, 0, v.name);
      continue;
    }
    // What the module receives: msgpack-c's canonical re-encoding of the stored body.
    assert.equal(hex(encode(decode(ev.body))), v.received.hex, `${v.name}: received bytes`);
    const out = pass.filterChunk([ev]);
    if (v.passthrough.dropped) assert.equal(out.events.length, 0, `${v.name}: lost to the NUL cut`);
    else assert.equal(bodyHex(out.events[0]), v.passthrough.body_hex, `${v.name}: passthrough body`);
    checked++;
  }
  assert.ok(checked > 100, `checked ${checked}`);
});

test("msgpack output 5.1.1: returned buffers cut at NUL, chunk poisoning", () => {
  const d = loadVectors("msgpack-output.v5.1.1.json");
  const f = new FilterWasm({ wasm: probe, functionName: "mout", eventFormat: "msgpack" });
  const isSentinel = (e: any) => e && hex(e.body) === "81a873656e74696e656cc3";
  for (const v of d.vectors) {
    const i = v.input_event.metadata.vec;
    const r = f.filterChunk(outputChunk(v, i));
    const what = `${v.name} (${v.desc})`;
    const vecEvents = r.items.filter((x) => "event" in x && !isSentinel(x.event)).map((x) => (x as any).event);
    if (v.result === "record") {
      assert.ok(vecEvents[0], `${what}: a record`);
      if (v.body_hex) assert.equal(bodyHex(vecEvents[0]), v.body_hex, `${what}: body`);
      if (v.body_sha256) assert.equal(createHash("sha256").update(vecEvents[0].body).digest("hex"), v.body_sha256, `${what}: body`);
      if (v.more_events) {
        const bare = r.items.filter((x) => "bare" in x).map((x) => hex((x as any).bare));
        assert.deepEqual(bare.slice(0, v.more_events.length), v.more_events.map((m: any) => m.event_hex), `${what}: bare items`);
      }
    } else if (v.result === "dropped") {
      assert.equal(vecEvents.length, 0, `${what}: dropped`);
    } else if (v.result === "undecodable_output") {
      assert.ok(r.undecodable, `${what}: undecodable`);
    }
    if (v.result !== "undecodable_output") {
      assert.equal(r.items.some((x) => "event" in x && isSentinel(x.event)), v.sentinel_ok, `${what}: the next record of the chunk`);
    }
    if (v.log) assert.deepEqual(filterLogLines(r.log), filterLogLines(v.log), `${what}: log`);
  }
});

test("event_format msgpack does not exist before Fluent Bit 3.0.0", () => {
  assert.throws(() => new FilterWasm({ wasm: probe, functionName: "mpass", eventFormat: "msgpack", fluentBitVersion: "2.1.8" }), StartupError);
});

/**
 * The AssemblyScript msgpack core against the harness's msgpack-c-canonical encoder and the
 * independent @msgpack/msgpack decoder: every value read and written again comes out byte for
 * byte as msgpack-c writes it, a skip lands exactly on the value's end, and every truncation is a
 * status. (Boundary tables per encoding are in tests/unit/msgpack.spec.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ExtensionCodec, decode as independentDecode } from "@msgpack/msgpack";
import { Direct, coreWasm } from "./helpers/probes.ts";
import { encode, decode } from "../harness/msgpack.ts";
import { randomValue, rng } from "./helpers/fuzz.ts";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const RECORDINGS = "tests/recordings";
/** Fluent Bit's EventTime (ext 0) kept as its bytes, so both sides compare exactly. */
const EVENT_TIME = new ExtensionCodec();
EVENT_TIME.register({ type: 0, encode: () => null, decode: (data: Uint8Array) => Buffer.from(data).toString("hex") });

const core = new Direct(coreWasm());

function transcode(bytes: Uint8Array): Buffer | undefined {
  const [p, n] = core.put(bytes);
  const out = core.ex.mp_transcode(p, n) >>> 0;
  const len = core.ex.out_len();
  return len < 0 ? undefined : Buffer.from(core.mem.subarray(out, out + len));
}

test("random values: read and written again byte for byte as msgpack-c writes them; skip lands on the end", () => {
  const r = rng(424242);
  for (let i = 0; i < 3000; i++) {
    const bytes = encode(randomValue(r, 6));
    assert.deepEqual(transcode(bytes), Buffer.from(bytes), `value ${i}`);
    const [p, n] = core.put(bytes);
    assert.equal(core.ex.mp_skip(p, n), bytes.length);
    // A cut anywhere is refused.
    const cut = Math.floor(r() * bytes.length);
    const [q, m] = core.put(bytes.subarray(0, cut));
    assert.equal(core.ex.mp_skip(q, m), -1, `value ${i} cut at ${cut}`);
    assert.equal(transcode(bytes.subarray(0, cut)), undefined);
  }
});

test("every recorded Fluent Bit event stream (EventTime ext, metadata, v2.1.8's array32 headers) is walked and transcoded exactly", () => {
  let events = 0;
  for (const dir of readdirSync(RECORDINGS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    for (const f of readdirSync(join(RECORDINGS, dir)).filter((x) => x.endsWith(".msgpack"))) {
      const stream = readFileSync(join(RECORDINGS, dir, f));
      for (let at = 0; at < stream.length; events++) {
        const [p, n] = core.put(stream.subarray(at));
        const len = core.ex.mp_skip(p, n);
        assert.ok(len > 0, `${dir}/${f} at ${at}`);
        const event = stream.subarray(at, at + len);
        const out = transcode(event)!;
        assert.deepEqual(out, Buffer.from(encode(decode(event))), `${dir}/${f} at ${at}`);
        assert.deepEqual(independentDecode(out, { extensionCodec: EVENT_TIME }), independentDecode(event, { extensionCodec: EVENT_TIME }));
        at += len;
      }
    }
  }
  assert.ok(events > 1000, `${events} events`);
});

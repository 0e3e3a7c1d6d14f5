/**
 * The harness against every JSON-mode vector recorded from real Fluent Bit (v5.1.1, v2.1.8):
 * the text a filter receives, what a passthrough filter makes of each record, and what Fluent
 * Bit makes of every returned text, chunk effects included.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { fluentBitJson } from "../harness/fb-json-out.ts";
import { decode, hex, mapGet, unhex } from "../harness/msgpack.ts";
import { probeWasm } from "./helpers/probes.ts";
import { bodyHex, filterLogLines, inputEvent, loadVectors, outputChunk } from "./helpers/vectors.ts";

const probe = probeWasm();

const INPUT_SETTINGS = [
  { file: "json-input.v5.1.1.json", version: "5.1.1", setting: "escape_unicode_on", escapeUnicode: true, nan: false },
  { file: "json-input.v5.1.1.json", version: "5.1.1", setting: "escape_unicode_off", escapeUnicode: false, nan: false },
  { file: "json-input.v2.1.8.json", version: "2.1.8", setting: "default", escapeUnicode: false, nan: false },
];

for (const s of INPUT_SETTINGS) {
  const d = loadVectors(s.file);
  test(`json input ${s.version} ${s.setting}: received text and passthrough of ${d.vectors.length} bodies`, () => {
    const dialect = s.version === "5.1.1" ? "v5" : "v2";
    const pass = new FilterWasm({ wasm: probe, functionName: "jpass", fluentBitVersion: s.version, escapeUnicode: s.escapeUnicode });
    const args = new FilterWasm({ wasm: probe, functionName: "args", fluentBitVersion: s.version, escapeUnicode: s.escapeUnicode });
    let checked = 0;
    for (const v of d.vectors) {
      const received = v.received[s.setting];
      if (!v.stored_body_hex) {
        assert.ok(received.not_seen, `${v.name}: never stored, so never seen`);
        continue;
      }
      const ev = inputEvent(v);
      if (received.not_seen) {
        // Stored, but never handed to the function (not a map, or nested too deep for v2):
        // the record silently vanishes at the filter.
        const out = args.filterChunk([ev]);
        assert.equal(out.events.length, 0, `${v.name}: vanishes`);
        assert.deepEqual(out.log, [], `${v.name}: silently`);
        continue;
      }
      const text = fluentBitJson(decode(ev.body), { dialect, escapeUnicode: s.escapeUnicode, nanToNull: s.nan });
      const want = received.hex !== undefined ? unhex(received.hex) : Buffer.from(received.text, "utf8");
      assert.equal(hex(text), hex(want), `${v.name}: received text`);
      // What crosses into the module: length, the NUL after record and tag, the time arguments.
      const seen = args.filterChunk([ev]);
      const echo = decode(seen.events[0].body);
      assert.equal(Number((mapGet(echo, "len") as any).v), received.len, `${v.name}: record_len`);
      assert.equal(Number((mapGet(echo, "sec") as any).v), received.time_args.sec, `${v.name}: time_sec`);
      assert.equal(Number((mapGet(echo, "nsec") as any).v), received.time_args.nsec, `${v.name}: time_nsec`);
      assert.equal(Number((mapGet(echo, "tag_nul") as any).v), 0, `${v.name}: NUL after the tag`);
      // A passthrough filter: the record as Fluent Bit rebuilds it, or dropped.
      const out = pass.filterChunk([ev]);
      const expected = v.passthrough[s.setting];
      if (expected.dropped) {
        assert.equal(out.events.length, 0, `${v.name}: dropped by Fluent Bit`);
      } else {
        assert.equal(out.events.length, 1, `${v.name}: one record`);
        assert.equal(bodyHex(out.events[0]), expected.body_hex, `${v.name}: passthrough body`);
        assert.deepEqual({ sec: out.events[0].sec, nsec: out.events[0].nsec }, expected.time, `${v.name}: event time kept`);
      }
      checked++;
    }
    assert.ok(checked > 100, `checked ${checked}`);
  });

  // The convert_nan_to_null vectors were recorded with escape_unicode on only (and on 2.1.8).
  if (s.setting !== "escape_unicode_off") test(`json input ${s.version}: floats with json.convert_nan_to_null on`, () => {
    const dialect = s.version === "5.1.1" ? "v5" : "v2";
    const pass = new FilterWasm({ wasm: probe, functionName: "jpass", fluentBitVersion: s.version, escapeUnicode: s.escapeUnicode, convertNanToNull: true });
    let checked = 0;
    for (const v of d.vectors) {
      const key = Object.keys(v).find((k) => k.startsWith("received_convert_nan_to_null_on"));
      if (!key) continue;
      const r = v[key];
      const want = r[s.setting]?.text ?? r.text ?? r.default?.text ?? r.escape_unicode_on?.text;
      if (want === undefined) continue;
      const text = fluentBitJson(decode(inputEvent(v).body), { dialect, escapeUnicode: s.escapeUnicode, nanToNull: true });
      assert.equal(Buffer.from(text).toString("utf8"), want, v.name);
      const p = v.passthrough_convert_nan_to_null_on;
      const pt = p?.[s.setting] ?? p?.default ?? p?.escape_unicode_on ?? p;
      if (pt) {
        const out = pass.filterChunk([inputEvent(v)]);
        if (pt.dropped) assert.equal(out.events.length, 0, v.name);
        else assert.equal(bodyHex(out.events[0]), pt.body_hex, v.name);
      }
      checked++;
    }
    assert.ok(checked >= 20, `checked ${checked}`);
  });
}

for (const version of ["5.1.1", "2.1.8"]) {
  const d = loadVectors(`json-output.v${version}.json`);
  test(`json output ${version}: what Fluent Bit makes of ${d.vectors.length} returned texts`, () => {
    const f = new FilterWasm({ wasm: probe, functionName: "jout", fluentBitVersion: version });
    d.vectors.forEach((v: any) => {
      const i = v.input_event.metadata.vec;
      const r = f.filterChunk(outputChunk(v, i));
      const isSentinel = (e: any) => e && hex(e.body) === "81a873656e74696e656c01";
      const vecEvents = r.items.filter((x) => "event" in x && !isSentinel(x.event)).map((x) => (x as any).event);
      // As the vectors' own lossless decoder of the out_file stream sees it.
      const sentinelOk = r.items.some((x) => "event" in x && isSentinel(x.event));
      const what = `${v.name} (${v.desc})`;
      if (v.result === "record") {
        const got = vecEvents[0];
        assert.ok(got, `${what}: a record`);
        if (v.body_hex) assert.equal(bodyHex(got), v.body_hex, `${what}: body`);
        if (v.body_sha256) assert.equal(createHash("sha256").update(got.body).digest("hex"), v.body_sha256, `${what}: body`);
        assert.deepEqual({ sec: got.sec, nsec: got.nsec }, v.time, `${what}: time kept`);
        assert.equal(hex(got.meta), hex(Buffer.from("81a3766563" + (i < 128 ? i.toString(16).padStart(2, "0") : "cc" + i.toString(16)), "hex")), `${what}: metadata kept`);
        const bare = r.items.filter((x) => "bare" in x).map((x) => hex((x as any).bare));
        assert.deepEqual(bare, (v.more_events ?? []).map((m: any) => m.event_hex), `${what}: extra items in the chunk`);
      } else if (v.result === "dropped") {
        assert.equal(vecEvents.length, 0, `${what}: dropped`);
      } else if (v.result === "undecodable_output") {
        assert.ok(r.undecodable, `${what}: the chunk cannot be decoded`);
      }
      if (v.result !== "undecodable_output") assert.equal(sentinelOk, v.sentinel_ok, `${what}: the next record of the chunk`);
      if (v.log) assert.deepEqual(filterLogLines(r.log), filterLogLines(v.log), `${what}: log`);
    });
  });
}

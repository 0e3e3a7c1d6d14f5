/**
 * The shipped filter never loses a record: random and mutated records (structure-aware on the
 * recordings, plus random bytes, huge strings, deep nesting, many keys, invalid UTF-8) through
 * the harness on every Fluent Bit lifecycle: zero traps, zero drops, output always a map Fluent
 * Bit accepts, and every key the filter does not own kept. Seeded: the same records every run.
 * FUZZ_RECORDS raises the count (`npm run fuzz` runs a long campaign).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { FbEvent, makeEvent } from "../harness/events.ts";
import { MpValue, decode, hex, mp, strText } from "../harness/msgpack.ts";
import { packJsonV2, packJsonV5 } from "../harness/fb-json-in.ts";
import { Direct } from "./helpers/probes.ts";
import { randomBytes, randomRecord, rng } from "./helpers/fuzz.ts";
import { runs } from "../harness/recordings.ts";
import { SHIPPED } from "../scripts/shipped.ts";

const WASM = readFileSync("build/cri_time.wasm");
const FUNCTIONS = SHIPPED[0].functions.map((f) => f.name);
const OWNED = new Set(["log", "stream", "_p", "@timestamp", "_event_time", "cri_check", "kubernetes"]);
const RECORDS = Number(process.env.FUZZ_RECORDS ?? 100_000);
const TAG = "kube.var.log.containers.orders-api-d88374c3b-vsj6v_shop_orders-api-8b140eb61a5290045191f84ae2b58980b566addb8643675a69c540bcb6703bf1.log";

const seeds: MpValue[] = runs().flatMap((r) => r.events.slice(0, 40).map((e) => decode(e.body)));

/** String keys of a map (those a filter must keep when it does not own them). */
function keptKeys(v: MpValue): string[] {
  if (v.t !== "map") return [];
  return v.entries.flatMap(([k]) => (k.t === "str" && strText(k.b) !== undefined ? [strText(k.b)!] : [])).filter((k) => !OWNED.has(k));
}

const LIFECYCLES = [
  { fluentBitVersion: "5.1.1", escapeUnicode: true },
  { fluentBitVersion: "5.1.1", escapeUnicode: false },
  { fluentBitVersion: "2.1.8" },
] as const;

test(`${RECORDS} random and mutated records: never dropped, always accepted, keys kept`, () => {
  const r = rng(4242);
  const perRun = Math.ceil(RECORDS / (LIFECYCLES.length * FUNCTIONS.length));
  let total = 0;
  for (const life of LIFECYCLES) {
    for (const fn of FUNCTIONS) {
      const f = new FilterWasm({ wasm: WASM, functionName: fn, input: "tail", ...life });
      for (let done = 0; done < perRun; done += 500) {
        const bodies: MpValue[] = [];
        const events: FbEvent[] = [];
        for (let i = 0; i < Math.min(500, perRun - done); i++) {
          let body = randomRecord(r, seeds);
          if (body.t !== "map") body = mp.obj({ log: body });
          bodies.push(body);
          events.push(makeEvent(TAG, Math.floor(r() * 2 ** 32), Math.floor(r() * 1e9), body));
        }
        const out = f.filterChunk(events);
        // A v2 input drops bodies nested deeper than 31 before any filter: not the filter's doing.
        const reaching = events.filter((e) => { try { decode(e.body, life.fluentBitVersion === "2.1.8" ? 31 : Infinity); return true; } catch { return false; } });
        assert.deepEqual(out.log, [], `${fn} ${JSON.stringify(life)}: Fluent Bit logged ${out.log[0]}`);
        assert.equal(out.events.length, reaching.length, `${fn}: every record came out`);
        out.events.forEach((e, i) => {
          const o = decode(e.body);
          assert.equal(o.t, "map");
          const before = keptKeys(decode(reaching[i].body));
          const after = new Set(keptKeys(o));
          for (const k of before) assert.ok(after.has(k), `${fn}: key ${k} kept (${hex(reaching[i].body).slice(0, 80)})`);
        });
        total += reaching.length;
      }
    }
  }
  assert.ok(total >= RECORDS * 0.95, `${total} records`);
});

test("random bytes and broken JSON handed straight to the function: valid JSON out, never a trap", () => {
  const d = new Direct(WASM);
  const r = rng(7);
  const [tag, tagLen] = d.put(TAG);
  for (let i = 0; i < 20000; i++) {
    const n = Math.floor(r() * 300);
    let bytes = randomBytes(r, n).map((b) => b || 1); // Fluent Bit's text never holds a NUL
    if (r() < 0.5) bytes = Buffer.concat([Buffer.from('{"log":"'), bytes, Buffer.from(r() < 0.5 ? '"}' : "")]).map((b) => b || 1);
    const fn = FUNCTIONS[i % FUNCTIONS.length];
    const [p, len] = d.put(bytes);
    const out = d.cstr(d.ex[fn](tag, tagLen, 0, 0, p, len) >>> 0);
    const v5 = packJsonV5(out), v2 = packJsonV2(out);
    assert.ok(v5.ok && v5.rootIsMap && v2.ok && v2.rootIsMap, `${fn}(${Buffer.from(bytes).toString("hex")}) -> ${out}`);
  }
});

test("hostile sizes: 16 MiB string, 100k keys, 10k-deep nesting, invalid UTF-8", () => {
  const f = new FilterWasm({ wasm: WASM, functionName: "cri_timestamp", input: "tail" });
  const big = "2023-10-16T09:48:55.123456789Z stdout F " + "x".repeat(16 * 1024 * 1024);
  const many = mp.map(Array.from({ length: 100_000 }, (_, i) => [mp.str(`k${i}`), mp.int(i)] as [MpValue, MpValue]));
  const invalid = mp.obj({ log: { t: "str", b: Uint8Array.of(0x32, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82) } });
  const out = f.filterChunk([makeEvent(TAG, 1, 2, mp.obj({ log: mp.str(big) })), makeEvent(TAG, 1, 2, many), makeEvent(TAG, 1, 2, invalid)]);
  assert.equal(out.events.length, 3);
  assert.deepEqual(out.log, []);
  const first = decode(out.events[0].body) as any;
  assert.equal(strText(first.entries.find(([k]: any) => strText(k.b) === "log")[1].b)!.length, 16 * 1024 * 1024);
  assert.equal((decode(out.events[1].body) as any).entries.length, 100_000 + 1, "100k keys + cri_check");
  // Nesting Fluent Bit could never send (its unpacker stops at 64): straight to the function.
  const d = new Direct(WASM);
  const [tag, tagLen] = d.put(TAG);
  const deep = `{"a":${"[".repeat(10000)}${"]".repeat(10000)}}`;
  const [p, n] = d.put(deep);
  const res = d.cstr(d.ex.cri_timestamp(tag, tagLen, 0, 0, p, n) >>> 0);
  assert.ok(packJsonV5(res).ok, "kept as text, flagged");
  assert.match(res.toString().slice(0, 60), /invalid_json/);
});

test("every lifecycle gives the same output: no filter depends on state between records", () => {
  // Compared within one JSON dialect (the text a filter receives differs between 2.x and 5.x):
  // a fresh instance per record (2.x, in_forward), per chunk (2.x, tail), one instance that
  // leaks every copy (4.1.x) and one that frees them (4.2.x).
  const r = rng(99);
  const events = Array.from({ length: 2000 }, () => makeEvent(TAG, 1700000000, 0, randomRecord(r, seeds))).filter((e) => decode(e.body).t === "map");
  for (const fn of FUNCTIONS) {
    const bodies = (version: string, input: "tail" | "forward", chunk: number) => {
      const f = new FilterWasm({ wasm: WASM, functionName: fn, fluentBitVersion: version, input });
      const out: string[] = [];
      for (let i = 0; i < events.length; i += chunk) out.push(...f.filterChunk(events.slice(i, i + chunk)).events.map((e) => hex(e.body)));
      return out;
    };
    const persistent = bodies("4.2.0", "tail", 2000);
    assert.equal(persistent.length, events.filter((e) => { try { decode(e.body, 31); return true; } catch { return false; } }).length);
    assert.deepEqual(bodies("2.1.8", "forward", 50), persistent, `${fn}: a fresh instance per record`);
    assert.deepEqual(bodies("2.1.8", "tail", 7), persistent, `${fn}: a fresh instance per chunk`);
    assert.deepEqual(bodies("4.1.1", "tail", 2000), persistent, `${fn}: copies never freed (4.1.x)`);
  }
});

test("regression fixtures: every failure the fuzzers found stays fixed", () => {
  const rows = readFileSync("tests/fixtures/regressions.jsonl", "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(rows.length > 0);
  for (const life of LIFECYCLES) {
    for (const row of rows) {
      const f = new FilterWasm({ wasm: WASM, functionName: row.fn, input: "tail", ...life });
      const out = f.filterChunk([makeEvent(TAG, 1700000000, 0, Buffer.from(row.body, "hex"))]);
      assert.deepEqual(out.log, [], `${row.found}: ${out.log[0]}`);
      assert.equal(out.events.length, 1, row.found);
      const after = new Set(keptKeys(decode(out.events[0].body)));
      for (const k of keptKeys(decode(Buffer.from(row.body, "hex")))) assert.ok(after.has(k), `${row.found}: key ${k} kept`);
    }
  }
});

test("regression: texts that once made the filter spin forever return at once", () => {
  // Found by the fuzzer: a stray close bracket where a member starts.
  const d = new Direct(WASM);
  const [tag, tagLen] = d.put(TAG);
  for (const text of ["{]}", '{"a":1 ]', '{"a":1,]}', "{:}", '{"log":"x" ] "b":2}']) {
    for (const fn of FUNCTIONS) {
      const [p, n] = d.put(text);
      const out = d.cstr(d.ex[fn](tag, tagLen, 0, 0, p, n) >>> 0);
      assert.ok(packJsonV5(out).ok && packJsonV2(out).ok, `${fn}(${text}) -> ${out}`);
    }
  }
});

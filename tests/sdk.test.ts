/**
 * The filter SDK (assembly/sdk/) through filters written on it (tests/probes/sdk.ts,
 * examples/sdk/): what its views read, in the JSON of both Fluent Bit families (2.x writes UTF-8
 * as it is, 5.x escapes it as \uXXXX by default); every edit; drop; records Fluent Bit hands over
 * as invalid JSON, text that is no JSON at all, and filters that ask for more than the pools hold:
 * never a trap, never a lost record. Real Fluent Bit: tests/real-sdk.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { makeEvent } from "../harness/events.ts";
import { MpValue, decode, mp, toView } from "../harness/msgpack.ts";
import { Direct, dropHealthChecksWasm, sdkWasm } from "./helpers/probes.ts";
import { randomRecord, rng } from "./helpers/fuzz.ts";
import { ruleTable } from "./helpers/rule-table.ts";
import { runs } from "../harness/recordings.ts";
import { callLua } from "../harness/lua-filter.ts";

const wasm = sdkWasm();
const VERSIONS = ["5.1.1", "2.1.8"];
const RECORD = mp.obj({
  log: mp.str("GET /healthz é \n😀"), n: mp.f64(2.5),
  kubernetes: mp.obj({ namespace_name: mp.str("kube-system"), pod_name: mp.str("web-1"), labels: mp.obj({ app: mp.str("web") }) }),
  items: mp.arr([mp.str("a"), mp.str("b")]), flag: mp.bool(true), secret: mp.str("x"), msg: mp.str("hi"),
});
// Fluent Bit prints a non-string key bare and NaN as `nan`: invalid JSON the SDK must mend.
const INVALID = mp.map([[mp.int(1), mp.str("a")], [mp.str("msg"), mp.f64(NaN)]]);

function filter(fn: string, version: string, bodies: MpValue[], tag = "kube.a") {
  const f = new FilterWasm({ wasm, functionName: fn, fluentBitVersion: version });
  const out = f.filterChunk(bodies.map((b) => makeEvent(tag, 7, 8, b)));
  return { ...out, bodies: out.events.map((e) => toView(decode(e.body)) as Record<string, unknown>) };
}

test("views read the text, not its escaping, in both JSON families; paths, arrays, numbers, members, tag and time", () => {
  for (const v of VERSIONS) {
    const out = filter("sdk_read", v, [RECORD, INVALID]);
    assert.deepEqual(out.log, []);
    const { log: _l, n: _n, kubernetes: _k, items: _i, flag: _f, secret: _s, msg: _m, ...read } = out.bodies[0];
    assert.deepEqual(read, {
      log_kind: 1, log_length: Buffer.byteLength("GET /healthz é \n😀"), log_has_healthz: true, log_starts_get: true, log_is_ok: false,
      log_has_e_acute: true, log_has_newline: true, log_has_smile: true, n_number: 2.5, n_missing: true, ns_is_kube_system: true,
      label_app_web: true, second_item_is_b: true, items_length: 2, flag_true: true, tag_is_kube: true, sec: 7, nsec: 8, members: 7, string_members: 3,
    }, v);
    assert.deepEqual(out.bodies[0].log, "GET /healthz é \n😀", "the record's own members are kept");
    // The invalid record: mended (`1` becomes "1", nan a string), its reads all "absent".
    assert.equal(out.bodies[1]["1"], "a");
    assert.equal(out.bodies[1].msg, "nan");
    assert.equal(out.bodies[1].log_kind, 0);
    assert.equal(out.bodies[1].n_number, null, "NaN is written as null");
    assert.equal(out.bodies[1].members, 2);
  }
});

test("edits: remove, rename, replace in place, add every kind of value, the last edit of a member wins", () => {
  for (const v of VERSIONS) {
    const out = filter("sdk_edit", v, [RECORD, INVALID]);
    assert.deepEqual(out.log, []);
    const added = {
      quoted: "a \"b\" \\ c\n\t é 😀", int: { $int: "-9007199254740993" }, half: 1.5, big: { $f64: 1.25e300 }, tiny: -3.5e-7, nan: null,
      yes: true, nothing: null, raw: { a: [1, 2, { b: null }] }, broken_raw: null,
    };
    assert.deepEqual(out.bodies[0], {
      log: "replaced again", n: 2.5, kubernetes: { namespace_name: "kube-system", pod_name: "web-1", labels: { app: "web" } }, items: ["a", "b"],
      flag: true, message: "hi", ...added, pod: "web-1", absent: null, tag: "kube.a",
    }, v);
    assert.deepEqual(out.bodies[1], { "1": "a", message: "nan", ...added, pod: null, absent: null, tag: "kube.a", log: "replaced again" }, v);
  }
});

test("drop: the records the filter drops, and only those", () => {
  for (const v of VERSIONS) {
    const out = filter("sdk_drop_flagged", v, [mp.obj({ drop: mp.bool(true) }), mp.obj({ drop: mp.bool(false), a: mp.int(1) }), mp.obj({ a: mp.str("drop") })]);
    assert.equal(out.dropped, 1, v);
    assert.deepEqual(out.bodies, [{ drop: false, a: 1 }, { a: "drop" }]);
  }
});

test("one pass: members read by slot, held ones left out, members added at the end, drop; in both JSON families", () => {
  for (const v of VERSIONS) {
    const out = filter("sdk_one_pass", v, [
      mp.obj({ log: mp.str("é GET /healthz"), level: mp.str("info") }),
      mp.obj({ level: mp.str("warn"), log: mp.str("é \"x\"\n"), secret: mp.str("s"), n: mp.int(1) }),
      mp.obj({ log: mp.int(5), level: mp.obj({ a: mp.arr([1, 2].map((x) => mp.int(x))) }) }),
      mp.obj({ a: mp.str("b") }),
      INVALID,
    ]);
    assert.equal(out.dropped, 1, v);
    assert.deepEqual(out.bodies, [
      { log: "é \"x\"\n", n: 1, severity: "warn", had_secret: true, log_length: Buffer.byteLength("é \"x\"\n"), kube: "yes \"é\"" },
      { log: 5, severity: { a: [1, 2] }, had_secret: false, log_length: -1, kube: "yes \"é\"" }, // a log that is no string is not read
      { a: "b", had_secret: false, log_length: -1, kube: "yes \"é\"" },
      { "1": "a", msg: "nan", had_secret: false, log_length: -1, kube: "yes \"é\"" },
    ], v);
  }
});

test("the drop_health_checks example drops health checks only, whatever their escaping", () => {
  const ex = new FilterWasm({ wasm: dropHealthChecksWasm(), functionName: "drop_health_checks" });
  const out = ex.filterChunk(["10.0.0.1 - GET /healthz HTTP/1.1 200\n", "GET /health 200", "é GET /healthz", "GET /api"].map((log) => makeEvent("t", 1, 2, mp.obj({ log: mp.str(log) }))));
  assert.deepEqual(out.events.map((e) => (toView(decode(e.body)) as { log: string }).log), ["GET /health 200", "GET /api"]);
});


test("the example and its Lua twin drop the same records of the recordings and the fuzz corpus", () => {
  const r = rng(5);
  const table = ruleTable();
  const bodies = [...runs().flatMap((x) => x.events).map((e) => decode(e.body)), ...table, ...Array.from({ length: 500 }, () => randomRecord(r, table)),
    ...["GET /healthz", "x GET /healthz y", "GET /HEALTHZ", "é GET /healthz"].map((l) => mp.obj({ log: mp.str(l) }))].filter((b) => b.t === "map");
  const events = bodies.map((b) => makeEvent("t", 1, 2, b));
  const filter = new FilterWasm({ wasm: dropHealthChecksWasm(), functionName: "drop_health_checks" });
  const wasmDrops = events.map((e) => filter.filterChunk([e]).events.length === 0);
  // The twin runs as Fluent Bit's Lua filter does; a record that crashes every Lua filter is left out.
  const lua = callLua("examples/sdk/drop_health_checks.lua", "drop_health_checks", events.map((e) => ({ tag: e.tag, sec: e.sec, nsec: e.nsec, body: e.body }))).results;
  let compared = 0, dropped = 0;
  lua.forEach((x, i) => {
    if (x.action === "crash") return;
    compared++;
    if (wasmDrops[i]) dropped++;
    assert.equal(x.action === "drop", wasmDrops[i], `record ${i}: Lua ${x.action}, wasm ${wasmDrops[i] ? "drop" : "keep"}`);
  });
  assert.ok(compared > 500 && dropped >= 4, `${compared} compared, ${dropped} dropped`);
});

test("never a trap, never a lost record: the rule table and 3,000 fuzzed records through every SDK filter", () => {
  const r = rng(99);
  const table = ruleTable();
  const bodies = [...table, ...Array.from({ length: 3000 }, () => randomRecord(r, table))].filter((b) => b.t === "map");
  for (const v of VERSIONS) for (const fn of ["sdk_read", "sdk_edit", "sdk_greedy", "sdk_drop_flagged", "sdk_one_pass"]) {
    const out = filter(fn, v, bodies);
    const isStr = (x: MpValue, s: string) => x.t === "str" && Buffer.from(x.b).toString() === s;
    const drops = fn === "sdk_drop_flagged" ? bodies.filter((b) => b.t === "map" && b.entries.some(([k, x]) => isStr(k, "drop") && x.t === "bool" && x.v)).length
      : fn === "sdk_one_pass" ? bodies.filter((b) => b.t === "map" && b.entries.some(([k, x]) => isStr(k, "log") && x.t === "str" && Buffer.from(x.b).toString().includes("GET /healthz"))).length : 0;
    assert.equal(out.dropped, drops, `${v} ${fn}: ${out.log.slice(0, 3).join("\n")}`);
    assert.equal(out.events.length, bodies.length - drops, `${v} ${fn}`);
    assert.deepEqual(out.log.filter((l) => !l.includes("returned empty string")), [], `${v} ${fn}`);
  }
});

test("text that is no JSON object, or broken, is kept whole under log and flagged", () => {
  const d = new Direct(wasm);
  for (const fn of ["sdk_edit", "sdk_one_pass"]) for (const text of ["not json", "{\"a\":", "[1,2]", "", "{\"a\":1 \"b\":2}", "{\"a\":\"\\x\"}"]) {
    const [tp, tl] = d.put("t");
    const [p, n] = d.put(text);
    const got = JSON.parse(d.cstr(d.ex[fn](tp, tl, 1, 2, p, n)).toString("utf8"));
    if (text === "{\"a\":\"\\x\"}") { assert.equal(got.a, "\\x", "an invalid escape is mended, not a failure"); continue; }
    if (text === "{\"a\":1 \"b\":2}") { assert.deepEqual([got.a, got.b], [1, 2], "a missing comma is mended"); continue; }
    assert.deepEqual(got, { fbwasm_check: { invalid_json: true }, log: text }, text);
  }
});

test("a filter asking for more views, walks and edits than the pools hold keeps working", () => {
  for (const v of VERSIONS) {
    const out = filter("sdk_greedy", v, [RECORD]);
    assert.equal(out.bodies[0].found_some, 1);
    assert.equal(out.bodies[0].even, 98);
    assert.equal(out.bodies[0].odd, 99);
  }
});

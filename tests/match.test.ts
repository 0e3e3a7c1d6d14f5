/**
 * The `match` filter (build/match.wasm, on the SDK) and its Lua twin (lua/match.lua): a table of
 * rules and records with the verdict each must give, worked out by hand from the grammar
 * (harness/match-rules.ts), on both JSON families; the twins agree on the recordings and fuzzed
 * records under several rule sets; `fbwasm configure` refuses rules the module could not read.
 * Real Fluent Bit: tests/real-sdk.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { configure, readSettings } from "../harness/configure.ts";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { makeEvent } from "../harness/events.ts";
import { callLua } from "../harness/lua-filter.ts";
import { MpValue, decode, encode, mp, toView } from "../harness/msgpack.ts";
import { MATCH_SCHEMA } from "../harness/settings-block.ts";
import { readMsgpackStream } from "../harness/events.ts";
import { KubeApiStandIn } from "../harness/real/kube-api.ts";
import { localClassic } from "../harness/real/local-example.ts";
import { freePort, runFluentBit } from "../harness/real/run.ts";
import { aotFormatFor, aotPath } from "../scripts/aot.ts";
import { forEachFluentBit } from "./helpers/real-fluent-bit.ts";
import { randomRecord, rng } from "./helpers/fuzz.ts";
import { runs } from "../harness/recordings.ts";
import { ruleTable } from "./helpers/rule-table.ts";
import { luaSettingsTable, luaWithSettings } from "./helpers/lua-settings.ts";

const WASM = readFileSync("build/match.wasm");
const LUA = readFileSync("lua/match.lua", "utf8");
type Settings = Record<string, string>;

const luaWith = (settings: Settings) => luaWithSettings("lua/match.lua", MATCH_SCHEMA, settings);

const rec = (o: Record<string, MpValue>) => mp.obj(o);
const k8s = (ns: string) => mp.obj({ namespace_name: mp.str(ns), labels: mp.obj({ app: mp.str("web") }) });

// [settings, record, kept?]
const CASES: [Settings, MpValue, boolean][] = [
  [{ rules: "" }, rec({ log: mp.str("anything") }), true],
  [{ rules: "log *= GET /healthz" }, rec({ log: mp.str("10.0.0.1 GET /healthz 200\n") }), false],
  [{ rules: "log *= GET /healthz" }, rec({ log: mp.str("GET /health") }), true],
  [{ rules: "log *= é" }, rec({ log: mp.str("café") }), false],
  [{ rules: "log ^= DEBUG" }, rec({ log: mp.str("DEBUG x") }), false],
  [{ rules: "log ^= DEBUG" }, rec({ log: mp.str("x DEBUG") }), true],
  [{ rules: "level == debug" }, rec({ level: mp.str("debug") }), false],
  [{ rules: "level == debug" }, rec({ level: mp.str("debugging") }), true],
  [{ rules: "level != info" }, rec({ level: mp.str("debug") }), false],
  [{ rules: "level != info" }, rec({ log: mp.str("no level") }), false],
  [{ rules: "kubernetes.namespace_name == kube-system" }, rec({ kubernetes: k8s("kube-system") }), false],
  [{ rules: "kubernetes.namespace_name == kube-system" }, rec({ kubernetes: k8s("shop") }), true],
  [{ rules: "kubernetes.labels.app == web" }, rec({ kubernetes: k8s("shop") }), false],
  [{ rules: "status >= 500" }, rec({ status: mp.int(503) }), false],
  [{ rules: "status >= 500" }, rec({ status: mp.int(404) }), true],
  [{ rules: "status >= 500" }, rec({ status: mp.str("503") }), false],
  [{ rules: "status >= 500" }, rec({ status: mp.str("5xx") }), true],
  [{ rules: "latency < 0.25" }, rec({ latency: mp.f64(0.1) }), false],
  [{ rules: "latency < 0.25" }, rec({ latency: mp.f64(0.5) }), true],
  [{ rules: "code == 200" }, rec({ code: mp.int(200) }), false],
  [{ rules: "code == 200" }, rec({ code: mp.str("200") }), false],
  [{ rules: "ok == true" }, rec({ ok: mp.bool(true) }), false],
  [{ rules: "ok == true" }, rec({ ok: mp.bool(false) }), true],
  [{ rules: "trace exists" }, rec({ trace: mp.str("x") }), false],
  [{ rules: "trace exists" }, rec({ trace: mp.nil() }), true],
  [{ rules: "trace !exists" }, rec({ log: mp.str("x") }), false],
  [{ rules: "log *= GET /healthz; level == debug" }, rec({ level: mp.str("debug"), log: mp.str("x") }), false],
  [{ rules: "log *= GET /healthz; level == debug", combine: "all" }, rec({ level: mp.str("debug"), log: mp.str("x") }), true],
  [{ rules: "log *= GET /healthz; level == debug", combine: "all" }, rec({ level: mp.str("debug"), log: mp.str("GET /healthz") }), false],
  [{ rules: "kubernetes.namespace_name == shop", action: "keep" }, rec({ kubernetes: k8s("shop") }), true],
  [{ rules: "kubernetes.namespace_name == shop", action: "keep" }, rec({ kubernetes: k8s("kube-system") }), false],
  [{ rules: "kubernetes.namespace_name == shop", action: "keep" }, rec({ log: mp.str("no metadata") }), false],
  [{ rules: "  log   *=   spaced out  " }, rec({ log: mp.str("a spaced out line") }), false],
];

test("every case of the table, in the module as Fluent Bit 2.1.8 and 5.1.1, and in the Lua twin", () => {
  CASES.forEach(([settings, body, kept], i) => {
    const wasm = configure(WASM, settings);
    for (const version of ["2.1.8", "5.1.1"]) {
      const out = new FilterWasm({ wasm, functionName: "match_records", fluentBitVersion: version }).filterChunk([makeEvent("t", 1, 2, body)]);
      assert.equal(out.events.length === 1, kept, `case ${i + 1} ${JSON.stringify(settings)} as ${version}`);
    }
    const [lua] = callLua(luaWith(settings), "match_records", [{ tag: "t", sec: 1, nsec: 2, body: encode(body) }]).results;
    assert.equal(lua.action !== "drop", kept, `case ${i + 1} ${JSON.stringify(settings)} in Lua (${lua.action})`);
  });
});

const RULE_SETS: Settings[] = [
  { rules: "log *= GET; stream == stderr" },
  { rules: "log ^= [2026; stream == stdout", combine: "all" },
  { rules: "log exists; n > 3", action: "keep" },
  { rules: "log *= é; a exists; status >= 400" },
];

test("the module and its Lua twin keep and drop the same records of the recordings and 2,000 fuzzed ones", () => {
  const r = rng(77);
  const table = ruleTable();
  const bodies = [...runs().flatMap((x) => x.events).map((e) => decode(e.body)), ...table, ...Array.from({ length: 2000 }, () => randomRecord(r, table))].filter((b) => b.t === "map");
  const events = bodies.map((b) => makeEvent("t", 1, 2, b));
  for (const settings of RULE_SETS) {
    const f = new FilterWasm({ wasm: configure(WASM, settings), functionName: "match_records" });
    const wasmKeeps = events.map((e) => f.filterChunk([e]).events.length === 1);
    const lua = callLua(luaWith(settings), "match_records", events.map((e) => ({ tag: e.tag, sec: e.sec, nsec: e.nsec, body: e.body }))).results;
    let compared = 0, dropped = 0;
    lua.forEach((x, i) => {
      if (x.action === "crash") return; // kills Fluent Bit under any Lua filter (harness/lua/driver.lua)
      compared++;
      if (!wasmKeeps[i]) dropped++;
      assert.equal(x.action !== "drop", wasmKeeps[i], `${JSON.stringify(settings)} record ${i}: ${JSON.stringify(toView(decode(events[i].body)))}`);
    });
    assert.ok(compared > 2000 && dropped > 0 && dropped < compared, `${JSON.stringify(settings)}: ${dropped} of ${compared} dropped`);
  }
});

test("fbwasm configure refuses rules the module could not read, and choices it does not know", () => {
  const bad: [Settings, RegExp][] = [
    [{ rules: "log" }, /no operator/],
    [{ rules: "log =~ x" }, /unknown operator "=~"/],
    [{ rules: "status > high" }, /> compares numbers: "high" is not one/],
    [{ rules: "log *=" }, /\*= needs a value/],
    [{ rules: "trace exists yes" }, /exists takes no value/],
    [{ rules: "a..b == 1" }, /an empty member name/],
    [{ rules: "a.b.c.d.e == 1" }, /more than 4 names/],
    [{ rules: Array.from({ length: 17 }, (_, i) => `k${i} exists`).join("; ") }, /17 rules, the module holds 16/],
    [{ action: "pass" }, /action=pass: want drop or keep/],
    [{ combine: "some" }, /want any or all/],
    [{ rules: "log == \"quoted\"" }, /no quote, backslash/],
  ];
  for (const [settings, want] of bad) assert.throws(() => configure(WASM, settings), want, JSON.stringify(settings));
  const ok = configure(WASM, { rules: "log *= a=b; status >= 1e3", action: "keep", combine: "all" });
  assert.deepEqual(readSettings(ok), { rules: "log *= a=b; status >= 1e3", action: "keep", combine: "all" });
  assert.deepEqual(readSettings(WASM), MATCH_SCHEMA.defaults);
});

// The example in real Fluent Bit: tail over kubelet-named files, the kubernetes filter (against
// a local API stand-in), the module configured as the example's own comment says, the CRI filter.
const EXAMPLE = readFileSync("examples/match/fluent-bit.conf", "utf8");
const EXAMPLE_RULES = /--set "rules=([^"]+)"/.exec(EXAMPLE)![1];
const HEX = "3".repeat(64);
const LOGS: Record<string, string[]> = {
  [`web-1_shop_app-${HEX}.log`]: ["GET /api/orders 200", "10.0.0.1 GET /healthz 200", "POST /api/pay 201"],
  [`coredns-1_kube-system_coredns-${HEX}.log`]: ["query A example.com", "query AAAA example.com"],
};

forEachFluentBit("the match example", (bin) => {
  test(`examples/match in real Fluent Bit ${bin.version}: health checks and kube-system dropped, the rest kept with its written time`, async () => {
    const kube = new KubeApiStandIn();
    const endpoints = { es: await freePort(), kube: await kube.start(), forward: await freePort() };
    try {
      const files: Record<string, string | Uint8Array> = {
        "wasm/match.wasm": configure(WASM, { rules: EXAMPLE_RULES }),
        "wasm/cri_time.aot": readFileSync(aotPath("build/cri_time.wasm", aotFormatFor(bin.version), "x86_64")),
        "kube-token": "token",
        "state/.keep": "",
      };
      let ns = 0;
      for (const [name, lines] of Object.entries(LOGS)) {
        files[`containers/${name}`] = lines.map((l, i) => `2026-11-23T06:30:0${i}.${String(++ns).padStart(9, "0")}Z stdout F ${l}\n`).join("");
      }
      const run = await runFluentBit({ bin: bin.path, config: localClassic(EXAMPLE, endpoints), files, quietMs: 3000, timeoutMs: 60_000 });
      const got = [...run.outputs.values()].flatMap((b) => readMsgpackStream(b, "out")).map((e) => toView(decode(e.body)) as { log: string; "@timestamp": string });
      assert.deepEqual(got.map((r) => r.log).sort(), ["GET /api/orders 200", "POST /api/pay 201"]);
      assert.deepEqual(got.map((r) => r["@timestamp"]).sort(), ["2026-11-23T06:30:00.000000001Z", "2026-11-23T06:30:02.000000003Z"]);
    } finally {
      await kube.stop();
    }
  });
});

test("lua/match.lua's settings table holds the module's defaults (one list: harness/settings-block.ts)", () => {
  const lua = luaSettingsTable(LUA);
  assert.deepEqual(lua, MATCH_SCHEMA.defaults);
});

/**
 * The `lift` filter (build/lift.wasm, on the SDK) and its Lua twin (lua/lift.lua): a table of
 * records and settings with the record each must give, worked out by hand (both JSON families);
 * the twins agree on generated JSON payloads, texts that are no JSON object, and the recordings;
 * the examples/lift config in real Fluent Bit 2.1.8 and 5.1.1. Real Fluent Bit against the
 * harness, byte for byte: tests/real-sdk.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { configure, readSettings } from "../harness/configure.ts";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { fromView, makeEvent, readMsgpackStream } from "../harness/events.ts";
import { callLua } from "../harness/lua-filter.ts";
import { decode, encode, mp, toView } from "../harness/msgpack.ts";
import { rng } from "../harness/random.ts";
import { runs } from "../harness/recordings.ts";
import { localClassic } from "../harness/real/local-example.ts";
import { freePort, runFluentBit } from "../harness/real/run.ts";
import { LIFT_SCHEMA } from "../harness/settings-block.ts";
import { aotFormatFor, aotPath } from "../scripts/aot.ts";
import { canon } from "./helpers/canon.ts";
import { luaSettingsTable, luaWithSettings } from "./helpers/lua-settings.ts";
import { forEachFluentBit, outEvents, persistentWasm } from "./helpers/real-fluent-bit.ts";

const WASM = readFileSync("build/lift.wasm");
const LUA = readFileSync("lua/lift.lua", "utf8");
type Settings = Record<string, string>;
const luaWith = (settings: Settings) => luaWithSettings("lua/lift.lua", LIFT_SCHEMA, settings);

const CRI = "2023-10-16T09:48:55.123456789Z stdout F ";
/** A JSON object of `n` nested containers: `{"d":[[…1…]]}`. */
const deep = (n: number) => `{"d":${"[".repeat(n - 1)}1${"]".repeat(n - 1)}}`;
// [settings, record in, record out]
const CASES: [Settings, Record<string, unknown>, Record<string, unknown>][] = [
  [{}, { log: '{"level":"info","n":5}' }, { log: '{"level":"info","n":5}', level: "info", n: 5 }],
  [{}, { log: '{"level":"info"}\n', stream: "stdout" }, { log: '{"level":"info"}\n', stream: "stdout", level: "info" }],
  [{}, { log: `${CRI}{"msg":"hi"}` }, { log: `${CRI}{"msg":"hi"}`, msg: "hi" }],
  [{ cri: "false" }, { log: `${CRI}{"msg":"hi"}` }, { log: `${CRI}{"msg":"hi"}` }],
  [{}, { log: '{"stream":"mine","a":1}', stream: "stdout" }, { log: '{"stream":"mine","a":1}', stream: "stdout", a: 1 }],
  [{}, { log: '{"x":"\\u00e9\\n","y":[1,{"z":true}]}' }, { log: '{"x":"\\u00e9\\n","y":[1,{"z":true}]}', x: "é\n", y: [1, { z: true }] }],
  [{}, { log: "plain text" }, { log: "plain text" }],
  [{}, { log: '{"broken": ' }, { log: '{"broken": ' }],
  [{}, { log: '{"a":1} trailing' }, { log: '{"a":1} trailing' }],
  [{}, { log: "[1,2]" }, { log: "[1,2]" }],
  [{}, { other: 1 }, { other: 1 }],
  [{}, { log: 5 }, { log: 5 }],
  [{ keep_key: "false" }, { log: '{"a":1}', b: 2 }, { b: 2, a: 1 }],
  [{ keep_key: "false" }, { log: "not json" }, { log: "not json" }],
  [{ under: "app" }, { log: '{"a":1,"b":"x"}' }, { log: '{"a":1,"b":"x"}', app: { a: 1, b: "x" } }],
  [{ under: "app" }, { log: '{"a":1}', app: "mine" }, { log: '{"a":1}', app: "mine" }],
  [{ under: "app", keep_key: "false" }, { log: '{"a":1}' }, { app: { a: 1 } }],
  [{ key: "message" }, { message: '{"a":1}', log: '{"b":2}' }, { message: '{"a":1}', log: '{"b":2}', a: 1 }],
  // At most 27 nested containers in the record it makes (README, "lift"): deeper stays text.
  [{}, { log: deep(27) }, { log: deep(27), ...JSON.parse(deep(27)) }],
  [{}, { log: deep(28) }, { log: deep(28) }],
  [{ under: "app" }, { log: deep(26) }, { log: deep(26), app: JSON.parse(deep(26)) }],
  [{ under: "app" }, { log: deep(27) }, { log: deep(27) }],
  [{}, { log: `{"s":"${"[".repeat(40)}","d":[[1]]}` }, { log: `{"s":"${"[".repeat(40)}","d":[[1]]}`, s: "[".repeat(40), d: [[1]] }],
];

test("every case of the table, in the module as Fluent Bit 2.1.8 and 5.1.1, and in the Lua twin", () => {
  CASES.forEach(([settings, input, output], i) => {
    const body = encode(fromView(input));
    for (const version of ["2.1.8", "5.1.1"]) {
      const out = new FilterWasm({ wasm: configure(WASM, settings), functionName: "lift_json", fluentBitVersion: version }).filterChunk([makeEvent("t", 1, 2, body)]);
      assert.equal(out.events.length, 1);
      assert.deepEqual(toView(decode(out.events[0].body)), output, `case ${i + 1} ${JSON.stringify(settings)} as ${version}`);
    }
    const [lua] = callLua(luaWith(settings), "lift_json", [{ tag: "t", sec: 1, nsec: 2, body }]).results;
    const got = lua.action === "set" ? lua.body : decode(body);
    assert.equal(canon(got), canon(fromView(output)), `case ${i + 1} ${JSON.stringify(settings)} in Lua (${lua.action})`);
  });
});

/** JSON values both twins represent alike: no null, no empty container, no number with a zero fraction, unique names. */
function payload(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 2 ? 4 : 6));
  if (k === 0) return ["a", "é ü", "line\nbreak", "quote \" and \\", "😀", "tab\t", ""][Math.floor(r() * 7)];
  if (k === 1) return Math.floor(r() * 2e6) - 1e6;
  if (k === 2) return Math.floor(r() * 1e6) / 8 + 0.125;
  if (k === 3) return r() < 0.5;
  if (k === 4) return Array.from({ length: 1 + Math.floor(r() * 3) }, () => payload(r, depth + 1));
  return Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => [`k${i}${["", "é", "_x"][Math.floor(r() * 3)]}`, payload(r, depth + 1)]));
}

test("the module and its Lua twin give the same records for generated payloads, texts that are no object, and the recordings", () => {
  const r = rng(31);
  const texts: string[] = [];
  for (let i = 0; i < 400; i++) {
    const obj = Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * 5) }, (_, j) => [["level", "msg", "stream", "log", "n", `f${j}`][Math.floor(r() * 6)], payload(r)]));
    const text = JSON.stringify(obj);
    texts.push([text, `${text}\n`, `${CRI}${text}`, ` ${text} `, text.slice(0, -1), `${text}x`, text.replace(":", "")][i % 7]);
  }
  const bodies = [
    ...texts.map((t, i) => mp.obj(i % 3 ? { log: mp.str(t), stream: mp.str("stdout") } : { log: mp.str(t) })),
    ...runs().flatMap((x) => x.events).slice(0, 300).map((e) => decode(e.body)),
  ].filter((b) => b.t === "map");
  for (const settings of [{}, { keep_key: "false" }, { under: "app" }] as Settings[]) {
    const f = new FilterWasm({ wasm: configure(WASM, settings), functionName: "lift_json" });
    const events = bodies.map((b) => makeEvent("t", 1, 2, b));
    const wasm = f.filterChunk(events).events.map((e) => canon(decode(e.body)));
    assert.equal(wasm.length, events.length, "every record kept");
    const lua = callLua(luaWith(settings), "lift_json", events.map((e) => ({ tag: "t", sec: 1, nsec: 2, body: e.body }))).results;
    let lifted = 0;
    lua.forEach((x, i) => {
      if (x.action === "crash") return;
      const got = canon(x.action === "set" ? x.body : decode(events[i].body));
      if (x.action === "set") lifted++;
      assert.equal(got, wasm[i], `${JSON.stringify(settings)} record ${i}: ${JSON.stringify(toView(decode(events[i].body)))}`);
    });
    assert.ok(lifted > 100, `${lifted} lifted`);
  }
});

test("fbwasm configure: the settings, checked", () => {
  assert.deepEqual(readSettings(WASM), LIFT_SCHEMA.defaults);
  assert.throws(() => configure(WASM, { key: "" }), /a key name cannot be empty/);
  assert.throws(() => configure(WASM, { keep_key: "maybe" }), /want true or false/);
  assert.deepEqual(readSettings(configure(WASM, { under: "app" })).under, "app");
});

// The example in real Fluent Bit: tail (the cri parser) over a JSON-logging container, the module as configured by its comment.
const EXAMPLE = readFileSync("examples/lift/fluent-bit.conf", "utf8");
const EXAMPLE_SETTINGS = Object.fromEntries([...EXAMPLE.matchAll(/--set "?(\w+)=([^"\s]*)"?/g)].map((m) => [m[1], m[2]]));

forEachFluentBit("the lift example", (bin) => {
  test(`examples/lift in real Fluent Bit ${bin.version}: JSON lines lifted, other lines kept as they are, each with its written time`, async () => {
    const lines = ['{"level":"info","msg":"GET /","status":200}', "plain startup line", '{"level":"error","msg":"boom"}'];
    const file = lines.map((l, i) => `2026-11-23T06:30:0${i}.00000000${i + 1}Z stdout F ${l}\n`).join("");
    const files = {
      "wasm/lift.wasm": configure(WASM, EXAMPLE_SETTINGS),
      "wasm/cri_time.aot": readFileSync(aotPath("build/cri_time.wasm", aotFormatFor(bin.version), "x86_64")),
      [`containers/web-1_shop_app-${"4".repeat(64)}.log`]: file,
      "state/.keep": "",
    };
    const endpoints = { es: await freePort(), kube: await freePort(), forward: await freePort() };
    const run = await runFluentBit({ bin: bin.path, config: localClassic(EXAMPLE, endpoints), files, quietMs: 2500, timeoutMs: 60_000 });
    const got = [...run.outputs.values()].flatMap((b) => readMsgpackStream(b, "out")).map((e) => toView(decode(e.body)) as Record<string, unknown>);
    assert.equal(got.length, 3);
    assert.deepEqual(got.map((r) => r.app ?? r.log), [{ level: "info", msg: "GET /", status: 200 }, "plain startup line", { level: "error", msg: "boom" }]);
    assert.deepEqual(got.map((r) => r["@timestamp"]), ["2026-11-23T06:30:00.000000001Z", "2026-11-23T06:30:01.000000002Z", "2026-11-23T06:30:02.000000003Z"]);
  });
});

// Payloads of many nested containers, through outputs that print records as JSON: 2.1.8 crashes
// printing a record of 28 to 31, and stops printing its chunk at a deeper one (docs/fluent-bit-facts.md).
const deepConfig = (version: string) => `[SERVICE]
    Flush     0.5
    Grace     1
    Log_Level info
[INPUT]
    Name   forward
    Listen 127.0.0.1
    Port   {{PORT}}
${persistentWasm(version) ? "    threaded on\n" : ""}${[["top", "lift.wasm"], ["under", "lift-under.wasm"]].map(([tag, file]) => `[FILTER]
    Name          wasm
    Match         ${tag}
    Wasm_Path     {{DIR}}/${file}
    Function_Name lift_json
`).join("")}[OUTPUT]
    Name  file
    Match *
    Path  {{DIR}}/out
    File  printed
[OUTPUT]
    Name   file
    Match  *
    Path   {{DIR}}/out
    Format msgpack
`;

forEachFluentBit("lift and deep payloads", (bin) => {
  test(`Fluent Bit ${bin.version}: a payload too deep for the outputs stays text, the others are lifted, every record is printed`, async () => {
    const sent = { top: [20, 27, 28, 31, 40], under: [20, 26, 27, 30] };
    const forward = Object.entries(sent).map(([tag, depths]) => ({ tag, events: depths.map((n, i) => makeEvent(tag, 1795415418 + i, 1, encode(mp.obj({ log: mp.str(deep(n)) })))) }));
    const files = { "lift.wasm": WASM, "lift-under.wasm": configure(WASM, { under: "app" }) };
    const run = await runFluentBit({ bin: bin.path, config: deepConfig(bin.version), files, forward, quietMs: 1500 });
    const printed = Buffer.from(run.outputs.get("printed") ?? []).toString("utf8").split("\n").filter(Boolean);
    assert.equal(printed.length, sent.top.length + sent.under.length, "every record printed as JSON");
    for (const [tag, limit] of [["top", 27], ["under", 26]] as const) {
      const got = outEvents(run.outputs, tag).map((e) => toView(decode(e.body)) as Record<string, unknown>);
      assert.deepEqual(got.map((r) => (tag === "top" ? "d" in r : "app" in r)), sent[tag].map((n) => n <= limit), `${tag}: lifted when at most ${limit} deep`);
    }
  });
});

test("lua/lift.lua's settings table holds the module's defaults (one list: harness/settings-block.ts)", () => {
  const lua = luaSettingsTable(LUA);
  assert.deepEqual(lua, LIFT_SCHEMA.defaults);
});

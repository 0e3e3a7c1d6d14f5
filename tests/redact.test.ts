/**
 * The `redact` filter (build/redact.wasm, on the SDK) and its Lua twin (lua/redact.lua): a table of
 * records and settings with the record each must give, worked out by hand (both JSON families);
 * the twins agree on generated lines of secrets and look-alikes and on the recordings; no record
 * lost over the fuzz corpus; the examples/redact config in real Fluent Bit 2.1.8 and 5.1.1. Real
 * Fluent Bit against the harness, byte for byte, and the twin in real Fluent Bit:
 * tests/real-sdk.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { configure, readSettings } from "../harness/configure.ts";
import { Direct } from "../harness/direct.ts";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { fromView, makeEvent, readMsgpackStream } from "../harness/events.ts";
import { callLua } from "../harness/lua-filter.ts";
import { decode, encode, toView } from "../harness/msgpack.ts";
import { rng } from "../harness/random.ts";
import { runs } from "../harness/recordings.ts";
import { localClassic } from "../harness/real/local-example.ts";
import { freePort, runFluentBit } from "../harness/real/run.ts";
import { REDACT_SCHEMA } from "../harness/settings-block.ts";
import { aotFormatFor, aotPath } from "../scripts/aot.ts";
import { canon } from "./helpers/canon.ts";
import { randomRecord } from "./helpers/fuzz.ts";
import { luaSettingsTable, luaWithSettings } from "./helpers/lua-settings.ts";
import { forEachFluentBit } from "./helpers/real-fluent-bit.ts";
import { ruleTable } from "./helpers/rule-table.ts";
import { secretLine } from "./helpers/secrets.ts";

const WASM = readFileSync("build/redact.wasm");
const LUA = readFileSync("lua/redact.lua", "utf8");
type Settings = Record<string, string>;
const luaWith = (settings: Settings) => luaWithSettings("lua/redact.lua", REDACT_SCHEMA, settings);
const R = "[REDACTED]";

// [settings, record in, record out]
const CASES: [Settings, Record<string, unknown>, Record<string, unknown>][] = [
  [{}, { log: "GET / Authorization: Bearer eyJ0eXAi.abc-DEF_1~+/== rest" }, { log: `GET / Authorization: Bearer ${R} rest` }],
  [{}, { log: "bearer x; Bearer; xBearer abc; Bearer  t0k" }, { log: `bearer ${R}; Bearer; xBearer abc; Bearer  ${R}` }],
  [{}, { log: "password=hunter2&user=bob" }, { log: `password=${R}&user=bob` }],
  [{}, { log: 'login {"user":"a","password":"hunter2","n":1}' }, { log: `login {"user":"a","password":"${R}","n":1}` }],
  [{}, { log: "PWD : s3cr3t; next" }, { log: `PWD : ${R}; next` }],
  [{}, { log: "passwords=abc mypassword=abc token_type=x" }, { log: "passwords=abc mypassword=abc token_type=x" }],
  [{}, { log: "api_key=AKIA1 apikey = k-1 secret=\"two words\"" }, { log: `api_key=${R} apikey = ${R} secret="${R} words"` }],
  [{}, { log: "mail john.doe+x@mail.example.co.uk, ok" }, { log: `mail ${R}, ok` }],
  [{}, { log: "a@b c@d.e user@host.local." }, { log: `a@b c@d.e ${R}.` }],
  [{}, { log: "card 4111 1111 1111 1111, 4111-1111-1111-1111 and 4111111111111112" }, { log: `card ${R}, ${R} and 4111111111111112` }],
  [{}, { log: "amex 378282246310005x 378282246310005" }, { log: `amex 378282246310005x ${R}` }],
  [{}, { log: "2023-10-16T09:48:55.123456789Z stdout F id 12345678901234567890123" }, { log: "2023-10-16T09:48:55.123456789Z stdout F id 12345678901234567890123" }],
  [{}, { log: "say \"password=abc\" then\nBearer t0k\tébearer é" }, { log: `say "password=${R}" then\nBearer ${R}\tébearer é` }],
  [{}, { password: 5, Token_Type: "x", kubernetes: { labels: { Authorization: "Basic x", app: "web" } }, list: [{ token: { a: 1 } }, "me@x.io"] },
    { password: R, Token_Type: "x", kubernetes: { labels: { Authorization: R, app: "web" } }, list: [{ token: R }, R] }],
  [{ keys: "", secrets: "" }, { log: "Bearer abc x@y.io", password: "p" }, { log: "Bearer abc x@y.io", password: "p" }],
  [{ secrets: "email", mask: "***" }, { log: "Bearer abc x@y.io password=1" }, { log: "Bearer abc *** password=1" }],
  [{ keys: "x-api-key,Session" }, { "X-Api-Key": "k", session: [1, 2], password: "kept" }, { "X-Api-Key": R, session: R, password: "kept" }],
  [{}, { log: "nothing to hide here, 1234 5678", n: 1.5, ok: true }, { log: "nothing to hide here, 1234 5678", n: 1.5, ok: true }],
];

test("every case of the table, in the module as Fluent Bit 2.1.8 and 5.1.1, and in the Lua twin", () => {
  CASES.forEach(([settings, input, output], i) => {
    const body = encode(fromView(input));
    for (const version of ["2.1.8", "5.1.1"]) {
      const out = new FilterWasm({ wasm: configure(WASM, settings), functionName: "redact_secrets", fluentBitVersion: version }).filterChunk([makeEvent("t", 1, 2, body)]);
      assert.equal(out.events.length, 1);
      assert.deepEqual(toView(decode(out.events[0].body)), output, `case ${i + 1} ${JSON.stringify(settings)} as ${version}`);
    }
    const [lua] = callLua(luaWith(settings), "redact_secrets", [{ tag: "t", sec: 1, nsec: 2, body }]).results;
    const got = lua.action === "set" ? lua.body : decode(body);
    assert.equal(canon(got), canon(fromView(output)), `case ${i + 1} ${JSON.stringify(settings)} in Lua (${lua.action})`);
  });
});

test("the module and its Lua twin give the same records for generated lines of secrets and look-alikes, and the recordings", () => {
  const r = rng(41);
  const bodies = [
    ...Array.from({ length: 1500 }, (_, i) => fromView({ log: secretLine(r, 1 + (i % 12)), stream: "stdout", ...(i % 5 ? {} : { nested: { Password: secretLine(r, 2), deeper: [secretLine(r, 3), { note: secretLine(r, 4) }] } }) })),
    ...runs().flatMap((x) => x.events).slice(0, 300).map((e) => decode(e.body)),
  ].filter((b) => b.t === "map");
  for (const settings of [{}, { secrets: "card,email", keys: "note" }] as Settings[]) {
    const f = new FilterWasm({ wasm: configure(WASM, settings), functionName: "redact_secrets" });
    const events = bodies.map((b) => makeEvent("t", 1, 2, encode(b)));
    const wasm = f.filterChunk(events).events.map((e) => canon(decode(e.body)));
    assert.equal(wasm.length, events.length, "every record kept");
    const lua = callLua(luaWith(settings), "redact_secrets", events.map((e) => ({ tag: "t", sec: 1, nsec: 2, body: e.body }))).results;
    let masked = 0;
    lua.forEach((x, i) => {
      if (x.action === "crash") return;
      if (x.action === "set") masked++;
      const got = canon(x.action === "set" ? x.body : decode(events[i].body));
      assert.equal(got, wasm[i], `${JSON.stringify(settings)} record ${i}: ${JSON.stringify(toView(decode(events[i].body)))}`);
    });
    assert.ok(masked > 500, `${masked} masked`);
  }
});

test("never a trap, never a lost record: the rule table and 3,000 fuzzed records, as Fluent Bit 2.1.8 and 5.1.1", () => {
  const r = rng(43);
  const table = ruleTable();
  const bodies = [...table, ...Array.from({ length: 3000 }, () => randomRecord(r, table))].filter((b) => b.t === "map");
  for (const version of ["2.1.8", "5.1.1"]) {
    const out = new FilterWasm({ wasm: WASM, functionName: "redact_secrets", fluentBitVersion: version }).filterChunk(bodies.map((b) => makeEvent("t", 1, 2, encode(b))));
    assert.equal(out.events.length, bodies.length, version);
  }
});

test("text that is no JSON object, or broken past mending, is kept whole under log, its secrets masked", () => {
  const d = new Direct(WASM);
  for (const [text, log] of [
    ["GET /x Authorization: Bearer abc123 password=x", `GET /x Authorization: Bearer ${R} password=${R}`],
    ['{"password":"p", "card": 4111111111111111', `{"password":"${R}", "card": ${R}`],
    ["[\"me@x.io\"]", `["${R}"]`],
  ]) {
    const [tp, tl] = d.put("t");
    const [p, n] = d.put(text);
    const got = JSON.parse(d.cstr(d.ex.redact_secrets(tp, tl, 1, 2, p, n)).toString("utf8"));
    assert.deepEqual(got, { fbwasm_check: { invalid_json: true }, log }, text);
  }
});

test("fbwasm configure: the settings, checked", () => {
  assert.deepEqual(readSettings(WASM), REDACT_SCHEMA.defaults);
  assert.throws(() => configure(WASM, { secrets: "bearer,ssn" }), /ssn unknown/);
  assert.throws(() => configure(WASM, { keys: "pässword" }), /ASCII/);
  assert.throws(() => configure(WASM, { mask: "" }), /cannot be empty/);
  assert.deepEqual(readSettings(configure(WASM, { mask: "***" })).mask, "***");
});

// The example in real Fluent Bit: tail (the cri parser) over a container logging secrets, the module as configured by its comment.
const EXAMPLE = readFileSync("examples/redact/fluent-bit.conf", "utf8");
const EXAMPLE_SETTINGS = Object.fromEntries([...EXAMPLE.matchAll(/--set "?(\w+)=([^"\s]*)"?/g)].map((m) => [m[1], m[2]]));

forEachFluentBit("the redact example", (bin) => {
  test(`examples/redact in real Fluent Bit ${bin.version}: secrets masked, the rest as it came, each line with its written time`, async () => {
    const lines = ["GET /orders Authorization: Bearer eyJ0eXAi.x-y_z== 200", 'login {"user":"ann@shop.example","password":"hunter2"}', "paid with 4111 1111 1111 1111", "plain startup line"];
    const file = lines.map((l, i) => `2026-11-23T06:30:0${i}.00000000${i + 1}Z stdout F ${l}\n`).join("");
    const files = {
      "wasm/redact.wasm": configure(WASM, EXAMPLE_SETTINGS),
      "wasm/cri_time.aot": readFileSync(aotPath("build/cri_time.wasm", aotFormatFor(bin.version), "x86_64")),
      [`containers/web-1_shop_app-${"5".repeat(64)}.log`]: file,
      "state/.keep": "",
    };
    const endpoints = { es: await freePort(), kube: await freePort(), forward: await freePort() };
    const run = await runFluentBit({ bin: bin.path, config: localClassic(EXAMPLE, endpoints), files, quietMs: 2500, timeoutMs: 60_000 });
    const got = [...run.outputs.values()].flatMap((b) => readMsgpackStream(b, "out")).map((e) => toView(decode(e.body)) as Record<string, unknown>);
    assert.deepEqual(got.map((r) => r.log), [`GET /orders Authorization: Bearer ${R} 200`, `login {"user":"${R}","password":"${R}"}`, `paid with ${R}`, "plain startup line"]);
    assert.deepEqual(got.map((r) => r["@timestamp"]), ["2026-11-23T06:30:00.000000001Z", "2026-11-23T06:30:01.000000002Z", "2026-11-23T06:30:02.000000003Z", "2026-11-23T06:30:03.000000004Z"]);
  });
});

test("lua/redact.lua's settings table holds the module's defaults (one list: harness/settings-block.ts)", () => {
  assert.deepEqual(luaSettingsTable(LUA), REDACT_SCHEMA.defaults);
});

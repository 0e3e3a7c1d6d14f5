/**
 * Filters written on the SDK, in real Fluent Bit (every binary found) against the harness: the
 * probe filters of tests/probes/sdk.ts (every read, every edit, drop, pools overrun, one pass) and the
 * drop_health_checks example, over the recorded events, the rule table and fuzzed records sent
 * through the forward input in batches. Both sides must give the same events, byte for byte,
 * and drop the same records; nothing else may be dropped and no call may fail.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canon } from "./helpers/canon.ts";
import { luaWithSettings } from "./helpers/lua-settings.ts";
import { LIFT_SCHEMA, MATCH_SCHEMA } from "../harness/settings-block.ts";
import { secretLine } from "./helpers/secrets.ts";
import { configure } from "../harness/configure.ts";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { callLua } from "../harness/lua-filter.ts";
import { FbEvent, makeEvent } from "../harness/events.ts";
import { MpValue, asText, decode, encode, hex, mapGet, mp } from "../harness/msgpack.ts";
import { ForwardMessage } from "../harness/real/forward-client.ts";
import { FluentBitRun, runFluentBit } from "../harness/real/run.ts";
import { randomRecord, rng } from "./helpers/fuzz.ts";
import { dropHealthChecksWasm, sdkWasm } from "./helpers/probes.ts";
import { runs } from "../harness/recordings.ts";
import { ruleTable } from "./helpers/rule-table.ts";
import { forEachFluentBit, logLines, outEvents, persistentWasm } from "./helpers/real-fluent-bit.ts";

/** The shipped match filter, configured as a user would, and its Lua twin with the same settings. */
const MATCH_SETTINGS = { rules: "log *= GET; stream == stderr; kubernetes.namespace_name == kube-system" };
const LIFT_SETTINGS = { under: "app" };
const MODULES: Record<string, Uint8Array> = {
  "sdk.wasm": sdkWasm(), "drop_health_checks.wasm": dropHealthChecksWasm(), "match.wasm": configure(readFileSync("build/match.wasm"), MATCH_SETTINGS),
  "match.lua": readFileSync(luaWithSettings("lua/match.lua", MATCH_SCHEMA, MATCH_SETTINGS)),
  "lift.wasm": configure(readFileSync("build/lift.wasm"), LIFT_SETTINGS),
  "lift.lua": readFileSync(luaWithSettings("lua/lift.lua", LIFT_SCHEMA, LIFT_SETTINGS)),
  "redact.wasm": readFileSync("build/redact.wasm"),
  "redact.lua": readFileSync("lua/redact.lua"),
};
const PIPELINES = [
  ...["sdk_read", "sdk_edit", "sdk_drop_flagged", "sdk_greedy", "sdk_one_pass"].map((fn) => ({ fn, file: "sdk.wasm" })),
  { fn: "drop_health_checks", file: "drop_health_checks.wasm" },
  { fn: "match_records", file: "match.wasm" },
  { fn: "lift_json", file: "lift.wasm" },
  { fn: "redact_secrets", file: "redact.wasm" },
].map((p, i) => ({ ...p, tag: `sdk.${p.fn}`, instance: `wasm.${i}` }));
const LUA_TAG = "lua.match_records";
const LIFT_LUA_TAG = "lua.lift_json";
const REDACT_LUA_TAG = "lua.redact_secrets";

function corpus(): FbEvent[] {
  const table = ruleTable();
  const r = rng(2024);
  const healthz = ["10.1.2.3 - - \"GET /healthz HTTP/1.1\" 200 2\n", "GET /healthz é", "GET /health"].map((log) => mp.obj({ log: mp.str(log) }));
  const flagged = [mp.obj({ drop: mp.bool(true), log: mp.str("x") }), mp.obj({ drop: mp.bool(false) })];
  const payloads = ['{"level":"info","msg":"GET / é","n":5}', '2023-10-16T09:48:55.1Z stdout F {"a":[1,2.5,"x"],"b":{"c":true}}', '{"log":"inner","stream":"mine"}\n', '{"broken":'].map((log) => mp.obj({ log: mp.str(log), stream: mp.str("stdout") }));
  const secrets = Array.from({ length: 200 }, (_, i) => mp.obj({ log: mp.str(secretLine(r, 1 + (i % 9))), stream: mp.str("stdout"), ...(i % 4 ? {} : { kubernetes: mp.obj({ labels: mp.obj({ Authorization: mp.str("Basic x"), app: mp.str("web") }) }), password: mp.int(5) }) }));
  const made: MpValue[] = [...table, ...healthz, ...flagged, ...payloads, ...secrets, ...Array.from({ length: 1500 }, () => randomRecord(r, table))];
  return [
    ...runs().flatMap((x) => x.events).slice(0, 600).map((e) => makeEvent("", e.sec, e.nsec, e.body)),
    ...made.filter((b) => b.t === "map").map((b) => makeEvent("", 1795415418, 559634260, encode(b))),
  ];
}

function batches(events: FbEvent[], tag: string): FbEvent[][] {
  const r = rng(11);
  const out: FbEvent[][] = [];
  for (let i = 0; i < events.length;) {
    const n = 1 + Math.floor(r() * 48);
    out.push(events.slice(i, i + n).map((e) => ({ ...e, tag })));
    i += n;
  }
  return out;
}

const config = (version: string) => `[SERVICE]
    Flush        0.2
    Grace        5
    Log_Level    info
[INPUT]
    Name              forward
    Listen            127.0.0.1
    Port              {{PORT}}
    Buffer_Chunk_Size 1M
    Buffer_Max_Size   64M
${persistentWasm(version) ? "    threaded          on\n" : ""}
${PIPELINES.map((p) => `[FILTER]\n    Name wasm\n    Match ${p.tag}\n    Wasm_Path {{DIR}}/${p.file}\n    Function_Name ${p.fn}\n`).join("")}
[FILTER]
    Name   lua
    Match  ${LUA_TAG}
    Script {{DIR}}/match.lua
    Call   match_records
[FILTER]
    Name   lua
    Match  ${LIFT_LUA_TAG}
    Script {{DIR}}/lift.lua
    Call   lift_json
[FILTER]
    Name   lua
    Match  ${REDACT_LUA_TAG}
    Script {{DIR}}/redact.lua
    Call   redact_secrets
[OUTPUT]
    Name   file
    Match  *
    Path   {{DIR}}/out
    Format msgpack
`;

const events = corpus();
/** Records that kill that Fluent Bit under any Lua filter (harness/lua/driver.lua, "crash"): kept out of the Lua pipeline. */
function luaSafe(version: string): FbEvent[] {
  const results = callLua("lua/match.lua", "match_records", events.map((e) => ({ tag: "t", sec: e.sec, nsec: e.nsec, body: e.body })), { fluentBitVersion: version }).results;
  return events.filter((_, i) => results[i].action !== "crash");
}

/** The records each filter must drop, counted here from the records themselves. */
const member = (e: FbEvent, k: string) => { const b = decode(e.body); return b.t === "map" ? mapGet(b, k) : undefined; };
const DROPS: Record<string, number> = {
  sdk_drop_flagged: events.filter((e) => { const v = member(e, "drop"); return v?.t === "bool" && v.v; }).length,
  drop_health_checks: events.filter((e) => asText(member(e, "log") ?? mp.nil())?.includes("GET /healthz")).length,
  // One pass reads the last `log` that is a string.
  sdk_one_pass: events.filter((e) => {
    const b = decode(e.body);
    const logs = b.t === "map" ? b.entries.flatMap(([k, v]) => k.t === "str" && Buffer.from(k.b).toString() === "log" && v.t === "str" ? [Buffer.from(v.b)] : []) : [];
    return logs.length > 0 && logs[logs.length - 1].includes("GET /healthz");
  }).length,
  match_records: events.length - new FilterWasm({ wasm: MODULES["match.wasm"], functionName: "match_records" }).filterChunk(events).events.length,
};

forEachFluentBit("filters on the SDK", (bin) => {
  describe(`Fluent Bit ${bin.version}: filters on the SDK give what the harness gives (${events.length} events each)`, () => {
    const sent = new Map(PIPELINES.map((p) => [p.tag, batches(events, p.tag)]));
    const luaEvents = luaSafe(bin.version);
    let run: FluentBitRun;
    before(async () => {
      const forward: ForwardMessage[] = [...PIPELINES.flatMap((p) => sent.get(p.tag)!.map((b) => ({ tag: p.tag, events: b }))), ...batches(luaEvents, LUA_TAG).map((b) => ({ tag: LUA_TAG, events: b })), ...batches(luaEvents, LIFT_LUA_TAG).map((b) => ({ tag: LIFT_LUA_TAG, events: b })), ...batches(luaEvents, REDACT_LUA_TAG).map((b) => ({ tag: REDACT_LUA_TAG, events: b }))];
      run = await runFluentBit({ bin: bin.path, config: config(bin.version), forward, timeoutMs: 600_000, files: MODULES });
    });
    test("the corpus holds records each dropping filter must drop", () => assert.ok(DROPS.sdk_drop_flagged >= 1 && DROPS.drop_health_checks >= 2 && DROPS.sdk_one_pass >= 2 && DROPS.match_records > 10, JSON.stringify(DROPS)));
    for (const p of PIPELINES) {
      test(`${p.fn}: the same events, byte for byte, and the same drops`, () => {
        const filter = new FilterWasm({ wasm: MODULES[p.file], functionName: p.fn, fluentBitVersion: bin.version, input: persistentWasm(bin.version) ? "forward-threaded" : "forward", name: p.instance });
        const want = sent.get(p.tag)!.flatMap((b) => filter.filterChunk(b).events);
        const got = outEvents(run.outputs, p.tag);
        assert.equal(got.length, want.length, `${p.fn}: ${got.length} events, the harness ${want.length}`);
        got.forEach((e, i) => assert.equal(hex(e.body), hex(want[i].body), `${p.fn} event ${i}`));
        assert.equal(events.length - got.length, DROPS[p.fn] ?? 0, `${p.fn}: dropped ${events.length - got.length}`);
      });
    }
    test("match_records: its Lua twin in real Fluent Bit drops the records the module drops", () => {
      const filter = new FilterWasm({ wasm: MODULES["match.wasm"], functionName: "match_records", fluentBitVersion: bin.version });
      const wasmKept = filter.filterChunk(luaEvents).events.length;
      const luaKept = outEvents(run.outputs, LUA_TAG).length;
      assert.ok(luaEvents.length - wasmKept > 10, `${luaEvents.length - wasmKept} dropped`);
      assert.equal(luaKept, wasmKept);
    });
    test("lift_json: its Lua twin in real Fluent Bit gives what it gives under LuaJIT here, and lifts payloads", () => {
      const script = join(mkdtempSync(join(tmpdir(), "fbwasm-lift-")), "lift.lua");
      writeFileSync(script, MODULES["lift.lua"]);
      const want = callLua(script, "lift_json", luaEvents.map((e) => ({ tag: "t", sec: e.sec, nsec: e.nsec, body: e.body })), { fluentBitVersion: bin.version }).results
        .map((x, i) => canon(x.action === "set" ? x.body : decode(luaEvents[i].body)));
      const got = outEvents(run.outputs, LIFT_LUA_TAG).map((e) => canon(decode(e.body)));
      assert.deepEqual(got, want);
      assert.ok(got.filter((c) => c.includes(canon(mp.str("app")))).length >= 3, "payloads lifted under app");
    });
    test("redact_secrets: its Lua twin in real Fluent Bit gives what it gives under LuaJIT here, and masks secrets", () => {
      const want = callLua("lua/redact.lua", "redact_secrets", luaEvents.map((e) => ({ tag: "t", sec: e.sec, nsec: e.nsec, body: e.body })), { fluentBitVersion: bin.version }).results
        .map((x, i) => canon(x.action === "set" ? x.body : decode(luaEvents[i].body)));
      const got = outEvents(run.outputs, REDACT_LUA_TAG).map((e) => canon(decode(e.body)));
      assert.deepEqual(got, want);
      assert.ok(got.filter((c) => c.includes(Buffer.from("[REDACTED]").toString("hex"))).length >= 100, "secrets masked");
    });
    test("no filter call failed", () => {
      const failures = logLines(run.log).filter((l) => /\[filter:wasm:|\[wasm\]/.test(l) && !l.startsWith("[debug]"));
      assert.deepEqual(failures, []);
    });
  });
});

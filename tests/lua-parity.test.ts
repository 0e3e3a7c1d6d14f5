/**
 * The Lua twins (lua/cri_time.lua) against the wasm filters, record by record, under real LuaJIT
 * (harness/lua/driver.lua calls them as Fluent Bit's Lua filter does, with its msgpack<->Lua
 * conversions). Over every recorded record and a seeded fuzz corpus, each function must give the
 * same body and the same final event time as the wasm function in the harness followed by its
 * stage (the parser filter on `_event_time`).
 *
 * Both sides get the same logical record: the one the wasm filter reads (Fluent Bit's JSON text of
 * it, mended, read back), with null values left out (Fluent Bit's Lua filter removes them before a
 * script sees the record). The wasm output is then passed through the Lua filter's own conversion
 * (a passthrough script), so the two are compared as a Lua filter's output: key order (Lua's) and
 * number forms (an integral float becomes an integer) are the host's, not the filter's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { FbEvent, makeEvent } from "../harness/events.ts";
import { fluentBitJson } from "../harness/fb-json-out.ts";
import { packJsonV5 } from "../harness/fb-json-in.ts";
import { MpValue, decode, encode, hex, mapGet } from "../harness/msgpack.ts";
import { LuaCall, callLua, luaFilterEvents } from "../harness/lua-filter.ts";
import { parserStage, rfc3339ToNanos } from "../harness/stages.ts";
import { SHIPPED } from "../scripts/shipped.ts";
import { Direct, coreWasm } from "./helpers/probes.ts";
import { randomRecord, rng } from "./helpers/fuzz.ts";
import { ruleTable } from "./helpers/rule-table.ts";
import { canon } from "./helpers/canon.ts";
import { runs } from "../harness/recordings.ts";
import { execFileSync } from "node:child_process";
import { DEFAULTS } from "../harness/settings-block.ts";

test("the Lua twin's settings table has the module's settings, with the same defaults", () => {
  const out = execFileSync("luajit", ["-e", 'for k, v in pairs(dofile("lua/cri_time.lua")) do print(k .. "=" .. tostring(v)) end'], { encoding: "utf8" });
  const lua = Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  assert.deepEqual(lua, DEFAULTS);
});

const FUZZ = Number(process.env.LUA_PARITY_FUZZ ?? 20_000);
const TAG = "kube.var.log.containers.orders-api-d88374c3b-vsj6v_shop_orders-api-8b140eb61a5290045191f84ae2b58980b566addb8643675a69c540bcb6703bf1.log";
const EVENT = { sec: 1795415418, nsec: 559634260 };
const core = new Direct(coreWasm());

const SCRIPT = "lua/cri_time.lua";
/** The bodies as Fluent Bit's Lua filter hands them to a script: Lua's key order and number forms. */
const asLuaSees = (events: LuaCall[]): MpValue[] => callLua(SCRIPT, "passthrough", events).results.map((r) => r.body);

/** The record as the wasm filter reads it (Fluent Bit's JSON text, mended, read back), without nulls. */
function asBothSee(body: MpValue): Uint8Array | undefined {
  const text = fluentBitJson(body, { dialect: "v5", escapeUnicode: true, nanToNull: false });
  const [p, n] = core.put(text);
  const mended = core.cstr(core.ex.mend_json(p, n));
  const packed = packJsonV5(mended);
  if (!packed.ok || !packed.rootIsMap) return undefined;
  return encode(withoutNulls(decode(packed.bytes)));
}

function withoutNulls(v: MpValue): MpValue {
  if (v.t === "map") return { t: "map", entries: v.entries.filter(([, x]) => x.t !== "nil").map(([k, x]) => [k, withoutNulls(x)]) };
  if (v.t === "arr") return { t: "arr", items: v.items.map(withoutNulls) };
  return v;
}

function withoutKey(v: MpValue, key: string): MpValue {
  return v.t === "map" ? { t: "map", entries: v.entries.filter(([k]) => !(k.t === "str" && Buffer.from(k.b).toString() === key)) } : v;
}


function corpus(): Uint8Array[] {
  const recorded = [...ruleTable(), ...runs().flatMap((r) => r.events.map((e) => decode(e.body)))];
  const r = rng(31337);
  const fuzzed = Array.from({ length: FUZZ }, () => randomRecord(r, recorded.slice(0, 400)));
  return [...recorded, ...fuzzed].flatMap((b) => { if (b.t !== "map") return []; const s = asBothSee(b); return s ? [s] : []; });
}

const records = corpus();

/** Epoch nanoseconds as an event time holds them: seconds as an unsigned 32-bit number. */
function asEventTime(ns: bigint): bigint {
  const B = 1_000_000_000n;
  const sec = ns >= 0n ? ns / B : -((-ns + B - 1n) / B);
  return BigInt.asUintN(32, sec) * B + (ns - sec * B);
}
const EVENT_TIME_KEY = "_event_time";

for (const fn of SHIPPED[0].functions) {
  test(`${fn.name}: the Lua twin gives every record the wasm filter's body and event time (${records.length} records)`, () => {
    const filter = new FilterWasm({ wasm: SHIPPED[0].wasm, functionName: fn.name, fluentBitVersion: "5.1.1" });
    const events: FbEvent[] = records.map((b) => makeEvent(TAG, EVENT.sec, EVENT.nsec, b));
    const wasmOut: FbEvent[] = [];
    for (let i = 0; i < events.length; i += 1000) {
      const out = filter.filterChunk(events.slice(i, i + 1000));
      assert.equal(out.dropped, 0);
      wasmOut.push(...out.events);
    }
    assert.equal(wasmOut.length, events.length);
    // The wasm filter's following stage, where it has one.
    const staged = fn.then ? wasmOut.map((e) => parserStage(e, { keyName: EVENT_TIME_KEY, reserveData: true }).event) : wasmOut;
    const wasmAsLua = asLuaSees(staged.map((e) => ({ tag: TAG, sec: e.sec, nsec: e.nsec, body: e.body })));
    const luaOut = luaFilterEvents(SCRIPT, fn.name, events);
    assert.equal(luaOut.length, events.length);
    const luaAsLua = asLuaSees(luaOut.map((e) => ({ tag: TAG, sec: e.sec, nsec: e.nsec, body: e.body })));
    let compared = 0;
    for (let i = 0; i < records.length; i++) {
      const where = `record ${i}: ${hex(records[i]).slice(0, 160)}`;
      let luaBody = luaAsLua[i], wasmBody = wasmAsLua[i];
      const recovered = fn.then ? mapGet(decode(wasmOut[i].body), EVENT_TIME_KEY) : undefined;
      const timeSet = luaOut[i].sec !== EVENT.sec || luaOut[i].nsec !== EVENT.nsec;
      // A record that already holds `_event_time` while no time is recovered: the wasm pipeline's
      // parser filter consumes that key (Fluent Bit deletes it when it does not parse); no parser
      // filter follows the Lua twin, which leaves it alone (README, deliberate differences).
      const preexisting = fn.then && mapGet(decode(records[i]), EVENT_TIME_KEY) !== undefined && !timeSet;
      if (preexisting) { luaBody = withoutKey(luaBody, EVENT_TIME_KEY); wasmBody = withoutKey(wasmBody, EVENT_TIME_KEY); }
      assert.equal(canon(luaBody), canon(wasmBody), where);
      if (!preexisting) {
        // The time the wasm filter recovered, to the nanosecond (the parser filter itself may be
        // 1 ns early: docs/fluent-bit-facts.md), else the event time as it came.
        const exact = recovered && recovered.t === "str" ? rfc3339ToNanos(Buffer.from(recovered.b).toString()) : undefined;
        const want = exact !== undefined ? asEventTime(exact) : BigInt(staged[i].sec >>> 0) * 1_000_000_000n + BigInt(staged[i].nsec);
        assert.equal(BigInt(luaOut[i].sec >>> 0) * 1_000_000_000n + BigInt(luaOut[i].nsec), want, `${where}: event time`);
      }
      compared++;
    }
    assert.equal(compared, records.length);
  });
}

/**
 * Real Fluent Bit against the harness, on every binary found: each shipped wasm function (alone,
 * and followed by its parser filter where it needs one) and each Lua twin, over every recorded
 * event, the rule table and a seeded corpus of hostile records; the AOT files of build/aot/ of the
 * binary's format give the same events as the `.wasm` they were compiled from. Events go in
 * through the forward input exactly as encoded (PackedForward), in batches of varying size (one
 * message, one filter call); out_file writes the chunks as they leave the filters. Both sides must give the same
 * events in the same order: wasm bodies byte for byte, Lua bodies as maps (Lua tables do not keep
 * key order from one run to the next), the same event times, the same drops, and the same log
 * lines from the filters.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { FbEvent, makeEvent } from "../harness/events.ts";
import { MpValue, asText, decode, encode, hex, mapGet, mp, toView } from "../harness/msgpack.ts";
import { LuaCrashError, callLua, luaFilterBatches } from "../harness/lua-filter.ts";
import { parserFilterBatch, rfc3339ToNanos } from "../harness/stages.ts";
import { ForwardMessage } from "../harness/real/forward-client.ts";
import { FluentBitRun, runFluentBit } from "../harness/real/run.ts";
import { SHIPPED } from "../scripts/shipped.ts";
import { randomRecord, rng } from "./helpers/fuzz.ts";
import { runs } from "../harness/recordings.ts";
import { ruleTable } from "./helpers/rule-table.ts";
import { canon } from "./helpers/canon.ts";
import { aotFormatFor, aotPath } from "../scripts/aot.ts";
import { forEachFluentBit, logLines, outEvents, persistentWasm } from "./helpers/real-fluent-bit.ts";

const FUZZ = Number(process.env.REAL_FUZZ ?? 1500);
const MODULE = SHIPPED[0];
const WASM = readFileSync(MODULE.wasm);
const FLOOR = SHIPPED.find((m) => m.benchmarkOnly)!;
const LUA = "lua/cri_time.lua";
const EVENT = { sec: 1795415418, nsec: 559634260 };
const PARSERS = `[PARSER]
    Name        event_time
    Format      regex
    Regex       ^(?<time>.+)$
    Time_Key    time
    Time_Format %Y-%m-%dT%H:%M:%S.%L%z
    Time_Keep   Off
`;

const recorded = runs().flatMap((r) => r.events);

/** The corpus: recorded events with their own times, then the rule table and fuzzed records. */
function corpus(): FbEvent[] {
  const table = ruleTable();
  const r = rng(4242);
  const seeds = [...table, ...recorded.slice(0, 400).map((e) => decode(e.body))];
  const made: MpValue[] = [...table, ...Array.from({ length: FUZZ }, () => randomRecord(r, seeds))];
  return [
    ...recorded.map((e) => makeEvent("", e.sec, e.nsec, e.body)),
    ...made.filter((b) => b.t === "map").map((b) => makeEvent("", EVENT.sec, EVENT.nsec, encode(b))),
  ];
}

/** Batches of 1 to 64 events, seeded: each is one forward message, hence one filter call. */
function batches(events: FbEvent[], tag: string): FbEvent[][] {
  const r = rng(7);
  const out: FbEvent[][] = [];
  for (let i = 0; i < events.length;) {
    const n = 1 + Math.floor(r() * r() * 64);
    out.push(events.slice(i, i + n).map((e) => ({ ...e, tag })));
    i += n;
  }
  return out;
}

interface Pipeline {
  tag: string; kind: "wasm" | "wasm+parser" | "wasm+lua" | "lua"; fn: string; instance: string; parser: string;
  /** The module Fluent Bit loads (a file in the run's folder) and the `.wasm` the harness runs for it. */
  file: string; wasm: string;
}

/** Fluent Bit names a filter instance by its plugin and its position among all filters. */
function pipelines(version: string): Pipeline[] {
  const out: Pipeline[] = [];
  let n = 0;
  const w = { file: "cri_time.wasm", wasm: MODULE.wasm };
  for (const f of MODULE.functions) out.push({ tag: `w.${f.name}`, kind: "wasm", fn: f.name, instance: `wasm.${n++}`, parser: "", ...w });
  for (const f of MODULE.functions.filter((x) => x.then)) { const instance = `wasm.${n++}`; out.push({ tag: `p.${f.name}`, kind: "wasm+parser", fn: f.name, instance, parser: `parser.${n++}`, ...w }); }
  // The exact stage: the Lua filter's set_event_time after the wasm filter ("parser" names it here).
  for (const f of MODULE.functions.filter((x) => x.then)) { const instance = `wasm.${n++}`; out.push({ tag: `x.${f.name}`, kind: "wasm+lua", fn: f.name, instance, parser: `lua.${n++}`, ...w }); }
  for (const f of MODULE.functions) out.push({ tag: `l.${f.name}`, kind: "lua", fn: f.name, instance: `lua.${n++}`, parser: "", ...w });
  // The AOT files of this binary's format, each against the `.wasm` it was compiled from.
  const format = aotFormatFor(version);
  for (const m of [MODULE, FLOOR]) {
    const file = aotPath(m.wasm, format, "x86_64");
    for (const f of m.functions) out.push({ tag: `a.${f.name}`, kind: "wasm", fn: f.name, instance: `wasm.${n++}`, parser: "", file: file.split("/").pop()!, wasm: m.wasm });
  }
  return out;
}

const aotFiles = (version: string) => Object.fromEntries([...SHIPPED.map((m) => m.wasm), ...SHIPPED.map((m) => aotPath(m.wasm, aotFormatFor(version), "x86_64"))].map((f) => [f.split("/").pop()!, readFileSync(f)]));

function config(version: string, ps: Pipeline[]): string {
  const filters = ps.map((p) => p.kind === "lua"
    ? `[FILTER]\n    Name lua\n    Match ${p.tag}\n    Script {{DIR}}/cri_time.lua\n    Call ${p.fn}\n    Time_as_Table On\n`
    : `[FILTER]\n    Name wasm\n    Match ${p.tag}\n    Wasm_Path {{DIR}}/${p.file}\n    Function_Name ${p.fn}\n` +
      (p.kind === "wasm+parser" ? `[FILTER]\n    Name parser\n    Match ${p.tag}\n    Key_Name _event_time\n    Parser event_time\n    Preserve_Key Off\n    Reserve_Data On\n` : "") +
      (p.kind === "wasm+lua" ? `[FILTER]\n    Name lua\n    Match ${p.tag}\n    Script {{DIR}}/cri_time.lua\n    Call set_event_time\n    Time_as_Table On\n` : ""));
  return `[SERVICE]
    Flush        0.2
    Grace        5
    Log_Level    info
    Parsers_File {{DIR}}/parsers.conf
[INPUT]
    Name              forward
    Listen            127.0.0.1
    Port              {{PORT}}
    Buffer_Chunk_Size 1M
    Buffer_Max_Size   64M
${persistentWasm(version) ? "    threaded          on\n" : ""}
${filters.join("")}
[OUTPUT]
    Name   file
    Match  *
    Path   {{DIR}}/out
    Format msgpack
`;
}

/** What the harness says each pipeline gives: events and the filter's log lines. */
function expected(version: string, p: Pipeline, bs: FbEvent[][], dir: string): { events: FbEvent[]; log: string[] } {
  if (p.kind === "lua") {
    return luaFilterBatches(LUA, p.fn, bs, { fluentBitVersion: version, instance: p.instance, scriptForLog: `${dir}/cri_time.lua` });
  }
  const filter = new FilterWasm({ wasm: readFileSync(p.wasm), functionName: p.fn, fluentBitVersion: version, input: persistentWasm(version) ? "forward-threaded" : "forward", name: p.instance });
  // The wasm filter's output, batch by batch: the next stage takes each batch as it left.
  const log: string[] = [...filter.startLog];
  const filtered = bs.map((b) => { const out = filter.filterChunk(b); log.push(...out.log); return out.events; });
  if (p.kind === "wasm") return { events: filtered.flat(), log };
  if (p.kind === "wasm+lua") {
    const r = luaFilterBatches(LUA, "set_event_time", filtered, { fluentBitVersion: version, instance: p.parser, scriptForLog: `${dir}/cri_time.lua` });
    return { events: r.events, log: [...log, ...r.log] };
  }
  const events: FbEvent[] = [];
  for (const b of filtered) {
    const r = parserFilterBatch(b, { keyName: "_event_time", reserveData: true, fluentBitVersion: version, instance: p.parser });
    events.push(...r.events);
    log.push(...r.log);
  }
  return { events, log };
}

const view = (e: FbEvent) => ({ ts: `${e.sec}.${e.nsec}`, body: toView(decode(e.body)) });


/** Log lines a filter or the parser writes at info level (debug lines are not logged at info). */
const filterLines = (lines: string[], instance: string) =>
  lines.filter((l) => !l.startsWith("[debug]") && (l.includes(`[filter:${instance.split(".")[0]}:${instance}]`) || (instance.startsWith("wasm") && l.includes("[wasm]")))).sort();

const events = corpus();

/**
 * Records that kill Fluent Bit under any Lua filter (harness/lua/driver.lua, "crash"): a nil or
 * NaN map key, a table as a map key. Tested on their own below; kept out of the Lua pipelines.
 */
const luaCrashes = (version: string) => new Set(callLua(LUA, "passthrough", events.map((e) => ({ tag: "t", sec: e.sec, nsec: e.nsec, body: e.body })), { fluentBitVersion: version })
  .results.flatMap((r, i) => (r.action === "crash" ? [i] : [])));

forEachFluentBit("the harness and real Fluent Bit give the same events", (bin) => {
  describe(`Fluent Bit ${bin.version}: the harness and real Fluent Bit agree, event by event (${events.length} events a pipeline)`, () => {
    const ps = pipelines(bin.version);
    const crashes = luaCrashes(bin.version);
    const luaEvents = events.filter((_, i) => !crashes.has(i));
    // The floor's passthrough hands back what Fluent Bit gave it, invalid JSON included (which the
    // CRI filters mend): it gets the recorded events only (docs/fluent-bit-facts.md, "Invalid JSON
    // returned").
    const floorEvents = recorded.map((e) => makeEvent("", e.sec, e.nsec, e.body));
    const sent = new Map(ps.map((p) => [p.tag, batches(p.kind === "lua" ? luaEvents : p.wasm === FLOOR.wasm ? floorEvents : events, p.tag)]));
    let run: FluentBitRun;
    before(async () => {
      const forward: ForwardMessage[] = ps.flatMap((p) => sent.get(p.tag)!.map((b) => ({ tag: p.tag, events: b })));
      run = await runFluentBit({
        bin: bin.path, config: config(bin.version, ps), forward, timeoutMs: 600_000, keep: true,
        files: { "parsers.conf": PARSERS, "cri_time.wasm": WASM, "cri_time.lua": readFileSync(LUA), ...aotFiles(bin.version) },
      });
    });
    test("set_event_time gives every recovered time to the nanosecond; the parser filter gives 1 ns less for some", () => {
      const recovered = outEvents(run.outputs, "w.cri_event_time").map((e) => asText(mapGet(decode(e.body), "_event_time")));
      const exact = outEvents(run.outputs, "x.cri_event_time"), parsed = outEvents(run.outputs, "p.cri_event_time");
      assert.equal(exact.length, recovered.length);
      let n = 0, early = 0;
      recovered.forEach((t, i) => {
        const want = t === undefined ? undefined : rfc3339ToNanos(t);
        if (want === undefined) return;
        n++;
        const at = (e: FbEvent) => BigInt(e.sec) * 1_000_000_000n + BigInt(e.nsec);
        assert.equal(at(exact[i]), want, `record ${i}: ${t} through set_event_time`);
        const d = want - at(parsed[i]);
        assert.ok(d === 0n || d === 1n, `record ${i}: ${t} through the parser filter is ${d} ns early`);
        if (d === 1n) early++;
      });
      assert.ok(n > 1000 && early > 0, `${early} of ${n} times 1 ns early through the parser filter`);
    });

    for (const p of ps) {
      test(`${p.kind} ${p.fn}${p.file.endsWith(".aot") ? ` (${p.file})` : ""}`, () => {
        const want = expected(bin.version, p, sent.get(p.tag)!, run.dir);
        const got = outEvents(run.outputs, p.tag);
        const lines = logLines(run.log);
        if (process.env.REAL_DUMP) writeFileSync(`${process.env.REAL_DUMP}/${bin.version}.${p.tag}.json`, JSON.stringify({ got: got.map(view), want: want.events.map(view), log: lines }, null, 1));
        for (const instance of [p.instance, p.parser].filter(Boolean)) {
          assert.deepEqual(filterLines(lines, instance), filterLines(want.log, instance), `${instance}'s log lines`);
        }
        assert.equal(got.length, want.events.length, "events out (drops)");
        for (let i = 0; i < got.length; i++) {
          const g = got[i], w = want.events[i];
          const where = `event ${i} of ${p.tag}: ${hex(w.body).slice(0, 120)}`;
          if (p.kind === "lua" || p.kind === "wasm+lua") {
            const a = canon(decode(g.body)), b = canon(decode(w.body));
            if (a !== b) { let k = 0; while (a[k] === b[k]) k++; assert.fail(`${where}: bodies differ at ${k}:\n  Fluent Bit ${a.slice(Math.max(0, k - 120), k + 120)}\n  harness    ${b.slice(Math.max(0, k - 120), k + 120)}`); }
          }
          else assert.equal(hex(g.body), hex(w.body), where);
          assert.deepEqual([g.sec, g.nsec], [w.sec >>> 0, w.nsec], `${where}: event time`);
        }
      });
    }
  });
});

const KILLERS: [string, MpValue, RegExp][] = [
  ["a null map key", mp.map([[mp.nil(), mp.str("x")], [mp.str("log"), mp.str("y")]]), /PANIC: unprotected error in call to Lua API \(table index is nil\)/],
  ["an array as a map key", mp.map([[mp.arr([mp.int(1)]), mp.str("x")], [mp.str("log"), mp.str("y")]]), /caught signal \(SIGSEGV\)/],
];

forEachFluentBit("records that make Fluent Bit exit under a Lua filter", (bin) => {
  for (const [what, body, says] of KILLERS) {
    test(`Fluent Bit ${bin.version}: a record with ${what} makes the process exit under any Lua filter, as the harness says`, async () => {
      const victim = makeEvent("l.x", EVENT.sec, EVENT.nsec, encode(body));
      assert.throws(() => luaFilterBatches(LUA, "passthrough", [[victim]], { fluentBitVersion: bin.version }), LuaCrashError);
      const cfg = config(bin.version, []).replace("[OUTPUT]", "[FILTER]\n    Name lua\n    Match l.*\n    Script {{DIR}}/cri_time.lua\n    Call cri_check\n    Time_as_Table On\n[OUTPUT]");
      await assert.rejects(runFluentBit({ bin: bin.path, config: cfg, forward: [{ tag: "l.x", events: [victim] }], files: { "parsers.conf": PARSERS, "cri_time.lua": readFileSync(LUA) } }), says);
    });
  }
  test(`Fluent Bit ${bin.version}: the corpus holds records that would kill Fluent Bit's Lua filter; the wasm pipelines take them all`, () => {
    assert.ok(luaCrashes(bin.version).size > 0);
  });
});

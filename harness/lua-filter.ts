/**
 * Fluent Bit's `filter_lua`, run for real: the script runs under LuaJIT (Debian's `luajit`, the
 * interpreter Fluent Bit embeds) through harness/lua/driver.lua, which converts records between
 * msgpack and Lua tables the way src/flb_lua.c does, calls the function with the tag, the time as
 * a table (`Time_as_Table On`) and the record, and reads the results back as
 * plugins/filter_lua/lua.c does in the given release (docs/fluent-bit-facts.md, "Lua filter").
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FbEvent } from "./events.ts";
import { MpReader, MpValue, MpWriter, asText, decode } from "./msgpack.ts";
import { NEWEST, parseVersion } from "./versions.ts";

export const LUAJIT = process.env.LUAJIT ?? "luajit";
const DRIVER = new URL("./lua/driver.lua", import.meta.url).pathname;

export interface LuaCall { tag: string; sec: number; nsec: number; body: Uint8Array }
/** What Fluent Bit does with one record (see driver.lua): its body is set only for "set". */
export interface LuaResult { action: "drop" | "keep" | "set" | "untouched" | "crash"; sec: number; nsec: number; body: MpValue; bodyBytes: Uint8Array; log: string[] }

export class LuaJitMissingError extends Error {}

/**
 * The record kills Fluent Bit itself (driver.lua, "crash"): a nil or NaN map key at any depth makes
 * LuaJIT panic, and a table used as a map key makes the conversion back crash (SIGSEGV).
 */
export class LuaCrashError extends Error {}


/**
 * Calls `fn` of `script` once per record. `fn` may be "passthrough": every record returned as it
 * came with code 2, which shows what Fluent Bit's own conversion makes of it.
 */
export function callLua(script: string, fn: string, records: LuaCall[], o: { fluentBitVersion?: string; repeat?: number } = {}): { results: LuaResult[]; nsPerCall?: number } {
  const w = new MpWriter();
  for (const r of records) { w.arrHeader(4); w.str(r.tag); w.int(BigInt(r.sec)); w.int(BigInt(r.nsec)); w.bytes(r.body); }
  const dir = mkdtempSync(join(tmpdir(), "fbwasm-lua-"));
  try {
    const inFile = join(dir, "in.msgpack"), outFile = join(dir, "out.msgpack");
    writeFileSync(inFile, w.finish());
    const args = [DRIVER, script, fn, inFile, outFile, parseVersion(o.fluentBitVersion ?? NEWEST).join("."), ...(o.repeat ? [String(o.repeat)] : [])];
    const res = spawnSync(LUAJIT, args, { encoding: "utf8", maxBuffer: 1 << 26 });
    if (res.error) throw new LuaJitMissingError(`${LUAJIT} runs the Lua filters (Debian: apt-get install luajit): ${res.error.message}`);
    if (res.status !== 0) throw new Error(`the Lua filter failed: ${res.stderr}`);
    if (o.repeat) return { results: [], nsPerCall: Number(res.stderr.trim()) };
    const r = new MpReader(readFileSync(outFile));
    const results: LuaResult[] = [];
    while (!r.done) {
      if (r.arrayHeader() !== 5) throw new Error("driver output is not [action, sec, nsec, body, log]");
      const action = asText(r.read()) as LuaResult["action"];
      const sec = Number((r.read() as { v: bigint }).v), nsec = Number((r.read() as { v: bigint }).v);
      // The body's own bytes: a value decoded and encoded again would lose what the driver wrote
      // (a NaN's sign bit, as LuaJIT keeps it).
      const [bs, be] = r.skip();
      const bodyBytes = r.bytes.slice(bs, be);
      const log = r.read();
      results.push({ action, sec, nsec, body: decode(bodyBytes), bodyBytes, log: log.t === "arr" ? log.items.map((x) => asText(x)!) : [] });
    }
    return { results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The records a returned table makes: itself (a map), or each map of an array, as bytes. */
function recordBodies(r: LuaResult): Uint8Array[] {
  if (r.body.t !== "arr") return [r.bodyBytes];
  const rd = new MpReader(r.bodyBytes);
  const n = rd.arrayHeader()!;
  return Array.from({ length: n }, () => { const [s, e] = rd.skip(); return r.bodyBytes.slice(s, e); });
}

/** The driver's log keys as filter_lua words them. */
function logLine(key: string, instance: string, fn: string, script: string): string {
  const p = `[error] [filter:lua:${instance}]`;
  if (key === "invalid_ts") return `${p} invalid lua timestamp type returned`;
  if (key === "invalid_table") return `${p} invalid table returned at ${fn}(), ${script}`;
  if (key.startsWith("unexpected_code ")) return `${p} unexpected Lua script return code ${key.slice(16)}, original record will be kept.`;
  if (key.startsWith("error ")) return `${p} error code 2: ${key.slice(6)}`;
  return `${p} ${key}`;
}

export interface LuaFilterOptions {
  fluentBitVersion?: string;
  /** The filter instance's name in log lines (lua.0 for the first Lua filter). */
  instance?: string;
  /** The script path as the configuration names it, for log lines. */
  scriptForLog?: string;
}

/**
 * A `[FILTER] name lua` over batches of events (each batch one filter call: what one input append
 * hands the filter chain): what comes out of it and what it logs, as Fluent Bit applies the
 * results.
 */
export function luaFilterBatches(script: string, fn: string, batches: FbEvent[][], o: LuaFilterOptions = {}): { events: FbEvent[]; log: string[] } {
  const all = batches.flat();
  const { results } = callLua(script, fn, all.map((e) => ({ tag: e.tag, sec: e.sec, nsec: e.nsec, body: e.body })), o);
  const events: FbEvent[] = [];
  const log: string[] = [];
  let at = 0;
  for (const batch of batches) {
    const out: FbEvent[] = [];
    const batchLog: string[] = [];
    let untouched = false;
    for (const e of batch) {
      const r = results[at++];
      if (untouched) continue; // never called in Fluent Bit
      batchLog.push(...r.log.map((k) => logLine(k, o.instance ?? "lua.0", fn, o.scriptForLog ?? script)));
      if (r.action === "crash") throw new LuaCrashError(`Fluent Bit exits on this record: ${r.log[0]}`);
      if (r.action === "untouched") { untouched = true; continue; }
      if (r.action === "drop") continue;
      if (r.action === "keep") { out.push(e); continue; }
      for (const body of recordBodies(r)) out.push({ ...e, sec: r.sec >>> 0, nsec: r.nsec, timeKind: "eventtime", body });
    }
    events.push(...(untouched ? batch : out));
    log.push(...batchLog);
  }
  return { events, log };
}

/** One filter call over `events` (see luaFilterBatches). */
export function luaFilterEvents(script: string, fn: string, events: FbEvent[], o: LuaFilterOptions = {}): FbEvent[] {
  return luaFilterBatches(script, fn, [events], o).events;
}

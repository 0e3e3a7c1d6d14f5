/**
 * Fluent Bit's `filter_lua`, run for real: the script runs under LuaJIT (Debian's `luajit`, the
 * interpreter Fluent Bit embeds) through harness/lua/driver.lua, which converts records between
 * msgpack and Lua tables the way src/flb_lua.c does and calls the function with the tag, the time
 * as a table (`Time_as_Table On`) and the record. Return codes as Fluent Bit reads them: -1 drop,
 * 0 keep the record as it came, 1 new time and record, 2 new record with the old time.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FbEvent } from "./events.ts";
import { MpReader, MpValue, MpWriter, encode } from "./msgpack.ts";

export const LUAJIT = process.env.LUAJIT ?? "luajit";
const DRIVER = new URL("./lua/driver.lua", import.meta.url).pathname;

export interface LuaCall { tag: string; sec: number; nsec: number; body: Uint8Array }
export interface LuaResult { code: number; sec: number; nsec: number; body: MpValue }

export class LuaJitMissingError extends Error {}

/**
 * Calls `fn` of `script` once per record. `fn` may be "passthrough": every record returned as it
 * came with code 2, which shows what Fluent Bit's own conversion makes of it.
 */
export function callLua(script: string, fn: string, records: LuaCall[], repeat = 0): { results: LuaResult[]; nsPerCall?: number } {
  const w = new MpWriter();
  for (const r of records) { w.arrHeader(4); w.str(r.tag); w.int(BigInt(r.sec)); w.int(BigInt(r.nsec)); w.bytes(r.body); }
  const dir = mkdtempSync(join(tmpdir(), "fbwasm-lua-"));
  try {
    const inFile = join(dir, "in.msgpack"), outFile = join(dir, "out.msgpack");
    writeFileSync(inFile, w.finish());
    const args = [DRIVER, script, fn, inFile, outFile, ...(repeat ? [String(repeat)] : [])];
    const res = spawnSync(LUAJIT, args, { encoding: "utf8", maxBuffer: 1 << 26 });
    if (res.error) throw new LuaJitMissingError(`${LUAJIT} runs the Lua filters (Debian: apt-get install luajit): ${res.error.message}`);
    if (res.status !== 0) throw new Error(`the Lua filter failed: ${res.stderr}`);
    if (repeat) return { results: [], nsPerCall: Number(res.stderr.trim()) };
    const r = new MpReader(readFileSync(outFile));
    const results: LuaResult[] = [];
    while (!r.done) {
      const v = r.read();
      if (v.t !== "arr" || v.items.length !== 4) throw new Error("driver output is not [code, sec, nsec, body]");
      const [code, sec, nsec, body] = v.items.map((x, i) => (i < 3 ? Number((x as { v: bigint }).v) : x)) as [number, number, number, MpValue];
      results.push({ code, sec, nsec, body });
    }
    return { results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A `[FILTER] name lua` over events: what comes out of it, as Fluent Bit applies the return codes. */
export function luaFilterEvents(script: string, fn: string, events: FbEvent[]): FbEvent[] {
  const { results } = callLua(script, fn, events.map((e) => ({ tag: e.tag, sec: e.sec, nsec: e.nsec, body: e.body })));
  return events.flatMap((e, i) => {
    const r = results[i];
    if (r.code < 0) return [];
    if (r.code === 0) return [e];
    const body = encode(r.body);
    return r.code === 1 ? [{ ...e, sec: r.sec >>> 0, nsec: r.nsec, timeKind: "eventtime" as const, body }] : [{ ...e, body }];
  });
}

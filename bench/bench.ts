/**
 * `npm run bench [-- --lines N]`: cost per record of every shipped filter and of the passthrough
 * floor built the same way, measured by calling the exported function directly as Fluent Bit
 * does (copies in through the module's malloc, result read back), on the recordings and on a
 * generated CRI corpus (1,000,000 lines by default). Also the deterministic cost model
 * (instructions, bytes moved, boundary bytes, host calls), the cost by kind of record, and linear
 * memory after 1M and 5M records (it must stay flat). Writes bench/out/report.json.
 *
 * Timings are V8 (JIT) on this machine: compare filter against floor, not against Fluent Bit's
 * WAMR interpreter, which runs the same instructions several times slower.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { fluentBitJson } from "../harness/fb-json-out.ts";
import { decode } from "../harness/msgpack.ts";
import { SHIPPED } from "../scripts/shipped.ts";
import { corpus } from "./corpus.ts";
import { runs } from "../harness/recordings.ts";
import { Direct } from "../harness/direct.ts";
import { Cost, costModel } from "./cost.ts";
import { LuaJitMissingError, callLua } from "../harness/lua-filter.ts";
import { packJsonV5 } from "../harness/fb-json-in.ts";

const USAGE = `usage: npm run bench [-- --lines N] [--memory N,N…]

  --lines N       lines of the generated CRI corpus (default 1000000)
  --memory N,N…   record counts after which one instance's linear memory is read (default 1000000,5000000)`;
function args(): { lines?: string; memory?: string } {
  try {
    const { values } = parseArgs({ options: { lines: { type: "string" }, memory: { type: "string" }, help: { type: "boolean", short: "h" } } });
    if (values.help) { console.log(USAGE); process.exit(0); }
    return values;
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const values = args();
const LINES = Number(values.lines ?? 1_000_000);
const MEMORY_RECORDS = (values.memory ?? "1000000,5000000").split(",").map(Number);
if (!Number.isInteger(LINES) || LINES <= 0) { console.error(`bench: --lines wants a positive integer\n${USAGE}`); process.exit(2); }
if (MEMORY_RECORDS.some((n) => !Number.isInteger(n) || n <= 0)) { console.error(`bench: --memory wants positive integers, comma-separated\n${USAGE}`); process.exit(2); }

/** One module, called the way Fluent Bit calls it: tag and record copied in, result read back. */
class Module extends Direct {
  call(fn: string, record: Uint8Array, tag: Uint8Array): number {
    const [t, tagLen] = this.put(tag);
    const [p, len] = this.put(record);
    const out = this.ex[fn](t, tagLen, 1795415418, 559634260, p, len) >>> 0;
    const n = this.mem.indexOf(0, out) - out;
    this.ex.free(p);
    this.ex.free(t);
    return n;
  }
  pages(): number { return (this.ex.memory as WebAssembly.Memory).buffer.byteLength / 65536; }
}

const TAG = Buffer.from("kube.var.log.containers.orders-api-d88374c3b-vsj6v_shop_orders-api-8b140eb61a5290045191f84ae2b58980b566addb8643675a69c540bcb6703bf1.log");

function measure(bytes: Uint8Array, fn: string, records: Uint8Array[]): { nsPerRecord: number; bytesOut: number } {
  const m = new Module(bytes);
  for (let i = 0; i < 20000; i++) m.call(fn, records[i % records.length], TAG); // warm up the JIT
  let best = Infinity, out = 0;
  for (let rep = 0; rep < 3; rep++) {
    out = 0;
    const t0 = process.hrtime.bigint();
    for (const r of records) out += m.call(fn, r, TAG);
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return { nsPerRecord: best / records.length, bytesOut: out / records.length };
}

const sets: Record<string, Uint8Array[]> = {
  recordings: runs().flatMap((r) => r.events.map((e) => fluentBitJson(decode(e.body), { dialect: "v5", escapeUnicode: true, nanToNull: false }))),
  [`generated raw (${LINES})`]: corpus(LINES, "raw").map((s) => Buffer.from(s)),
  [`generated parsed (${LINES})`]: corpus(LINES, "parsed").map((s) => Buffer.from(s)),
};

const floor = SHIPPED.find((m) => m.benchmarkOnly)!;
const floorBytes = readFileSync(floor.wasm);
const report: any = { machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version }, lines: LINES, results: [] };
console.log(`${report.machine.cpu}, ${report.machine.cores} cores, Node ${process.version}\n`);
console.log("set".padEnd(30) + "function".padEnd(30) + "ns/rec".padStart(8) + "  -floor".padStart(9) + "   rec/s".padStart(11) + "  bytes out");
for (const [name, records] of Object.entries(sets)) {
  const base = measure(floorBytes, floor.functions[0].name, records);
  console.log(name.padEnd(30) + "passthrough (floor)".padEnd(30) + base.nsPerRecord.toFixed(0).padStart(8) + "".padStart(9) + Math.round(1e9 / base.nsPerRecord).toLocaleString("en").padStart(11) + base.bytesOut.toFixed(0).padStart(11));
  for (const m of SHIPPED.filter((x) => !x.benchmarkOnly)) {
    const bytes = readFileSync(m.wasm);
    for (const f of m.functions) {
      const r = measure(bytes, f.name, records);
      report.results.push({ set: name, wasm: m.wasm, function: f.name, nsPerRecord: r.nsPerRecord, minusFloor: r.nsPerRecord - base.nsPerRecord, recordsPerSecond: 1e9 / r.nsPerRecord, bytesOut: r.bytesOut, floorNs: base.nsPerRecord });
      console.log("".padEnd(30) + f.name.padEnd(30) + r.nsPerRecord.toFixed(0).padStart(8) + (r.nsPerRecord - base.nsPerRecord).toFixed(0).padStart(9) + Math.round(1e9 / r.nsPerRecord).toLocaleString("en").padStart(11) + r.bytesOut.toFixed(0).padStart(11));
    }
  }
}

// The Lua twins under LuaJIT (the JIT Fluent Bit embeds): the function's own time per record,
// without the msgpack<->Lua conversions (Fluent Bit does those in C; the driver's are Lua).
console.log("\nLua twins (lua/cri_time.lua), LuaJIT, the function alone:");
report.lua = {};
for (const [name, records] of Object.entries(sets)) {
  const calls = records.map((r) => {
    const packed = packJsonV5(r);
    return { tag: TAG.toString(), sec: 1795415418, nsec: 559634260, body: packed.ok ? packed.bytes : new Uint8Array([0x80]) };
  });
  let label = name;
  for (const f of SHIPPED.find((x) => !x.benchmarkOnly)!.functions) {
    try {
      // Enough rounds for LuaJIT to compile its traces on a small set too; the best round counts.
      const ns = callLua("lua/cri_time.lua", f.name, calls, { repeat: Math.max(3, Math.ceil(200_000 / calls.length)) }).nsPerCall!;
      (report.lua[name] ??= {})[f.name] = ns;
      console.log(label.padEnd(30) + f.name.padEnd(30) + ns.toFixed(0).padStart(8) + " ns/record");
    } catch (e) {
      if (!(e instanceof LuaJitMissingError)) throw e;
      console.log(`LuaJIT not found (apt-get install luajit): skipped`);
      break;
    }
    label = "";
  }
}

// The deterministic cost model (the same on every run and machine; what Fluent Bit's WAMR
// interpreter pays for): instructions executed, bytes moved inside the module, bytes crossing
// the boundary, host calls; filter minus floor.
console.log("\ndeterministic cost per record:");
console.log("set".padEnd(30) + "function".padEnd(30) + "instr".padStart(8) + "  -floor".padStart(9) + " memcpy B".padStart(10) + "  in B".padStart(7) + " out B".padStart(7) + " host calls".padStart(12));
report.cost = {};
const costRow = (set: string, fn: string, c: Cost, floorCost?: Cost) => {
  console.log(set.padEnd(30) + fn.padEnd(30) + c.perRecord.toFixed(0).padStart(8) + (floorCost ? (c.perRecord - floorCost.perRecord).toFixed(0) : "").padStart(9) +
    c.bytesMovedPerRecord.toFixed(0).padStart(10) + c.bytesInPerRecord.toFixed(0).padStart(7) + c.bytesOutPerRecord.toFixed(0).padStart(7) + String(c.hostCallsPerRecord).padStart(12));
  const { total, ...figures } = c;
  (report.cost[set] ??= {})[fn] = { ...figures, minusFloor: floorCost ? c.perRecord - floorCost.perRecord : undefined };
};
for (const [name, records] of Object.entries(sets)) {
  const floorCost = costModel(floorBytes, floor.functions[0].name, records);
  costRow(name, "passthrough (floor)", floorCost);
  for (const m of SHIPPED.filter((x) => !x.benchmarkOnly)) {
    for (const f of m.functions) costRow("", f.name, costModel(readFileSync(m.wasm), f.name, records), floorCost);
  }
}

// By kind of record, so that a change can be traced to the records it makes dearer.
console.log("\nby kind of record (cri_timestamp):");
report.byKind = {};
const shippedWasm = readFileSync(SHIPPED.find((x) => !x.benchmarkOnly)!.wasm);
for (const [kind, shape, pick] of [
  ["typical line, raw", "raw", (s: string) => s.length < 400],
  ["typical line, cri-parsed", "parsed", (s: string) => s.length < 400],
  ["traceback glued from 5 raw lines", "raw", (s: string) => s.includes("Traceback")],
  ["traceback, cri-parsed", "parsed", (s: string) => s.includes("Traceback")],
  ["16 KiB partial piece, raw", "raw", (s: string) => s.length > 16000],
  ["16 KiB partial piece, cri-parsed", "parsed", (s: string) => s.length > 16000],
] as const) {
  const sample = corpus(5000, shape, 3).filter(pick).slice(0, 50).map((s) => Buffer.from(s));
  const c = costModel(shippedWasm, "cri_timestamp", sample);
  report.byKind[kind] = { bytes: sample.reduce((n, r) => n + r.length, 0) / sample.length, instructions: c.perRecord, bytesMoved: c.bytesMovedPerRecord };
  console.log(`  ${kind.padEnd(36)} ${(report.byKind[kind].bytes as number).toFixed(0).padStart(6)} bytes  ${c.perRecord.toFixed(0).padStart(8)} instructions`);
}

// Linear memory stays flat however many records go through one instance.
console.log("\nlinear memory (64 KiB pages) of one instance after N records of the generated corpus:");
const records = sets[`generated raw (${LINES})`];
for (const m of SHIPPED.filter((x) => x.functions.some((f) => f.name === "cri_timestamp"))) {
  const mod = new Module(readFileSync(m.wasm));
  let done = 0;
  const pages: Record<string, number> = {};
  for (const target of MEMORY_RECORDS) {
    while (done < target) { mod.call("cri_timestamp", records[done % records.length], TAG); done++; }
    pages[String(target)] = mod.pages();
  }
  report.memory = pages;
  console.log(`${m.wasm} cri_timestamp: ` + Object.entries(pages).map(([n, p]) => `${Number(n).toLocaleString("en")} records: ${p} pages`).join(", "));
}
mkdirSync("bench/out", { recursive: true });
writeFileSync("bench/out/report.json", JSON.stringify(report, null, 2) + "\n");
console.log("\nwrote bench/out/report.json");

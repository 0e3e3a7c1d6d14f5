import { readFileSync } from "node:fs";
import { runFluentBit } from "../harness/real/run.ts";
import { makeEvent, FbEvent } from "../harness/events.ts";
import { encode, decode, hex } from "../harness/msgpack.ts";
import { randomRecord, rng } from "../tests/helpers/fuzz.ts";
import { runs } from "../tests/helpers/recordings.ts";
import { ruleTable } from "../tests/helpers/rule-table.ts";
const bin = process.argv[2];
const recorded = runs().flatMap((r) => r.events);
const table = ruleTable();
const r = rng(4242);
const seeds = [...table, ...recorded.slice(0, 400).map((e) => decode(e.body))];
const made = [...table, ...Array.from({ length: 1500 }, () => randomRecord(r, seeds))].filter((b) => b.t === "map");
let events: FbEvent[] = made.map((b) => makeEvent("f", 1795415418, 0, encode(b)));
const conf = `[SERVICE]\n    Flush 0.2\n    Log_Level info\n[INPUT]\n    Name forward\n    Listen 127.0.0.1\n    Port {{PORT}}\n${bin.includes("5.1") ? "    threaded on\n" : ""}[FILTER]\n    Name wasm\n    Match *\n    Wasm_Path {{DIR}}/floor.wasm\n    Function_Name passthrough\n[OUTPUT]\n    Name file\n    Match *\n    Path {{DIR}}/out\n    Format msgpack\n`;
async function crashes(evs: FbEvent[]): Promise<boolean> {
  try { await runFluentBit({ bin, config: conf, forward: evs.map((e) => ({ tag: "f", events: [e] })), files: { "floor.wasm": readFileSync("build/floor.wasm") }, timeoutMs: 60000 }); return false; }
  catch (e) { return /SIG/.test(String(e)); }
}
console.log("all:", await crashes(events));
while (events.length > 1) {
  const half = events.slice(0, Math.ceil(events.length / 2));
  if (await crashes(half)) events = half; else { const rest = events.slice(half.length); if (await crashes(rest)) events = rest; else { console.log("needs both halves", events.length); break; } }
}
for (const e of events.slice(0, 3)) console.log(hex(e.body), JSON.stringify(decode(e.body)).slice(0, 300));

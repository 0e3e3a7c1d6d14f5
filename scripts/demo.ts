/**
 * `npm run demo`: replays the original report's recording (Fluent Bit 2.1.8, custom multiline
 * parser on raw CRI lines) through the filter and shows, per record, the time Fluent Bit gave
 * it, the time the line was written, the difference, and what the diagnostics found.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { readMsgpackStream } from "../harness/events.ts";
import { decode, toView } from "../harness/msgpack.ts";
import { esTimestamp } from "../harness/stages.ts";
import { diagnosticNotes } from "../harness/report.ts";

const dir = join(import.meta.dirname, "..", "tests", "recordings", "seed-custom-multiline");
// The recorded runs of the original report: records.<label>.msgpack (v2.1.8, v5.1.1, and their restarts).
const LABELS = readdirSync(dir).flatMap((f) => /^records\.(.+)\.msgpack$/.exec(f)?.[1] ?? []).sort();
const label = process.argv[2] ?? "v2.1.8";
if (label === "--help" || label === "-h" || !existsSync(join(dir, `records.${label}.msgpack`))) {
  const usage = `usage: npm run demo [-- LABEL]   LABEL: one of ${LABELS.join(", ")} (default v2.1.8)`;
  if (label === "--help" || label === "-h") { console.log(usage); process.exit(0); }
  console.error(`demo: no recording ${label}\n${usage}`);
  process.exit(2);
}
const tags = readFileSync(join(dir, `records.${label}.jsonl`), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).tag as string);
const events = readMsgpackStream(readFileSync(join(dir, `records.${label}.msgpack`)), "").map((e, i) => ({ ...e, tag: tags[i] }));
const filter = new FilterWasm({ wasm: join(import.meta.dirname, "..", "build", "cri_time.wasm"), functionName: "cri_timestamp", fluentBitVersion: label.slice(1).split("-")[0], input: "tail" });
const out = filter.filterChunk(events);

const hms = (iso: string) => iso.slice(11, 23); // HH:MM:SS.mmm
const isoOf = (sec: number, nsec: number) => new Date(sec * 1000).toISOString().slice(0, 19) + "." + String(nsec).padStart(9, "0") + "Z";

console.log(`Fluent Bit ${label}, custom multiline parser on raw CRI lines (original report)`);
console.log(`${events.length} records, ${new Set(tags).size} files, through build/cri_time.wasm cri_timestamp\n`);
console.log("  #  Fluent Bit time  written (CRI)   FB-CRI s  diagnostics");
let fixed = 0, defects = 0;
const stuck = new Map<string, number>();
out.events.forEach((e, i) => {
  const body = toView(decode(e.body)) as any;
  const fb = isoOf(e.sec, e.nsec);
  stuck.set(fb, (stuck.get(fb) ?? 0) + 1);
  const recovered = body["@timestamp"] as string | undefined;
  const diff = recovered ? (Date.parse(fb) - Date.parse(recovered)) / 1000 : NaN;
  if (recovered && esTimestamp(e, { timeKeyNanos: true }) === recovered && Math.abs(diff) >= 0.001) fixed++;
  const check = body.cri_check ?? {};
  const notes = diagnosticNotes(check);
  if (notes.length) defects++;
  const line = `${String(i).padStart(3)}  ${hms(fb)}     ${recovered ? hms(recovered) : "-".padEnd(12)}  ${Number.isNaN(diff) ? "     -" : diff.toFixed(3).padStart(7)}   ${notes.join(" ")}`;
  console.log(line.slice(0, 80));
});
const worst = Math.max(...stuck.values());
console.log(`\n${fixed}/${events.length} records fixed (Fluent Bit's time was off by 1 ms or more);`);
console.log(`up to ${worst} records shared one Fluent Bit time; ${defects} records flagged.`);

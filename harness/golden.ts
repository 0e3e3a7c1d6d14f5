/**
 * Golden files for users' own records, in the spirit of `vector test`: a folder holds recorded
 * event streams (`*.msgpack` as `out_file format msgpack` writes them, or `*.jsonl` in any form
 * of harness/json-lines.ts) and a `fbwasm.json` saying which filter runs and how
 * (harness/golden-spec.ts). `--update` writes `<name>.expected.jsonl` next to each stream (review
 * it once); from then on a run compares and prints a per-record diff. A folder without
 * recordings, or a spec that would not run the filter, is an error, never a pass.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { FilterWasm } from "./filter-wasm.ts";
import { FbEvent, formatTs } from "./events.ts";
import { GoldenSpec, readGoldenSpec } from "./golden-spec.ts";
import { InputError } from "./input-error.ts";
import { loadEvents } from "./inputs.ts";
import { decode, toView } from "./msgpack.ts";
import { esTimestamp, parserStage } from "./stages.ts";

export type { GoldenSpec } from "./golden-spec.ts";

export interface GoldenRow { ts: string; es_timestamp: string; body: unknown }

/** Runs a spec whose `wasm` is a path (readGoldenSpec resolves it). */
export function runSpec(spec: GoldenSpec, events: FbEvent[]): { rows: GoldenRow[]; log: string[]; dropped: number } {
  const f = new FilterWasm({ wasm: spec.wasm, functionName: spec.function, fluentBitVersion: spec.fluentBitVersion, eventFormat: spec.eventFormat, input: "tail" });
  const out = f.filterChunk(events);
  const rows = out.events.map((e) => {
    const final = spec.thenParserKey ? parserStage(e, { keyName: spec.thenParserKey, reserveData: true }).event : e;
    return { ts: formatTs(final.sec, final.nsec), es_timestamp: esTimestamp(final, { timeKeyNanos: true }), body: toView(decode(final.body)) };
  });
  return { rows, log: [...f.startLog, ...out.log], dropped: out.dropped };
}

export interface GoldenResult { file: string; status: "updated" | "same" | "different" | "missing"; diffs: string[] }

const isRecording = (f: string) => (f.endsWith(".msgpack") || f.endsWith(".jsonl")) && !f.endsWith(".expected.jsonl");
export const expectedFileOf = (recording: string) => `${basename(recording).replace(/\.(msgpack|jsonl)$/, "")}.expected.jsonl`;

export function golden(dir: string, update: boolean): GoldenResult[] {
  const spec = readGoldenSpec(dir);
  const recordings = readdirSync(dir).filter(isRecording).sort();
  if (!recordings.length) throw new InputError(`${dir}: no recordings (*.msgpack, *.jsonl) beside fbwasm.json: nothing would be checked`);
  const results: GoldenResult[] = [];
  for (const file of recordings) {
    const events = loadEvents(join(dir, file), { tag: spec.tag });
    const { rows, log, dropped } = runSpec(spec, events);
    const expectedFile = join(dir, expectedFileOf(file));
    const text = rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
    if (update) {
      writeFileSync(expectedFile, text);
      results.push({ file, status: "updated", diffs: dropped ? [`the module dropped ${dropped} of ${events.length} records; its log:`, ...log.map((l) => `  ${l}`)] : [] });
      continue;
    }
    if (!existsSync(expectedFile)) { results.push({ file, status: "missing", diffs: [`no ${basename(expectedFile)}: run with --update, review it, commit it`] }); continue; }
    const want = readFileSync(expectedFile, "utf8").split("\n").filter(Boolean);
    const got = text.split("\n").filter(Boolean);
    const diffs: string[] = [];
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
      if (want[i] === got[i]) continue;
      diffs.push(`record ${i}:\n  - ${want[i] ?? "(none)"}\n  + ${got[i] ?? "(none)"}`);
    }
    // Why records are missing: the module dropped them (a trap, an invalid result), as its log says.
    if (diffs.length && (dropped || log.length)) diffs.push(`the module dropped ${dropped} of ${events.length} records; its log:`, ...log.slice(0, 20).map((l) => `  ${l}`));
    results.push({ file, status: diffs.length ? "different" : "same", diffs });
  }
  return results;
}

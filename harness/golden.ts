/**
 * Golden files for users' own records, in the spirit of `vector test`: a folder holds recorded
 * event streams (`*.msgpack` as `out_file format msgpack` writes them, or `*.jsonl`) and a
 * `fbwasm.json` saying which filter runs and how. `--update` writes `<name>.expected.jsonl` next
 * to each stream (review it once); from then on a run compares and prints a per-record diff.
 */
import { CONTAINER_LOG, EventTimeMode, readContainerLog } from "./container-log.ts";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { FilterWasm } from "./filter-wasm.ts";
import { FbEvent, formatTs, readJsonLines, readMsgpackStream } from "./events.ts";
import { decode, toView } from "./msgpack.ts";
import { esTimestamp, parserStage } from "./stages.ts";

export interface GoldenSpec {
  wasm: string;
  function: string;
  fluentBitVersion?: string;
  eventFormat?: "json" | "msgpack";
  /** Key a parser filter after the wasm filter turns into the event time. */
  thenParserKey?: string;
  /** Tag for msgpack streams (out_file writes one file per tag and no tag inside). */
  tag?: string;
}

export interface GoldenRow { ts: string; es_timestamp: string; body: unknown }

/**
 * Events from a file: JSON lines (`.jsonl`), a container log file (`.log`, rotated names too;
 * harness/container-log.ts: the tag then defaults to tail's `kube.*` one), or a msgpack stream.
 */
export function loadEvents(file: string, tag?: string, eventTime?: EventTimeMode): FbEvent[] {
  const bytes = readFileSync(file);
  if (file.endsWith(".jsonl")) return readJsonLines(bytes.toString("utf8"));
  if (CONTAINER_LOG.test(file)) return readContainerLog(bytes.toString("utf8"), file, { tag, eventTime });
  return readMsgpackStream(bytes, tag ?? "golden");
}

export function runSpec(spec: GoldenSpec, events: FbEvent[], baseDir: string): { rows: GoldenRow[]; log: string[]; dropped: number } {
  const f = new FilterWasm({ wasm: join(baseDir, spec.wasm), functionName: spec.function, fluentBitVersion: spec.fluentBitVersion, eventFormat: spec.eventFormat, input: "tail" });
  const out = f.filterChunk(events);
  const rows = out.events.map((e) => {
    const final = spec.thenParserKey ? parserStage(e, { keyName: spec.thenParserKey, reserveData: true }).event : e;
    return { ts: formatTs(final.sec, final.nsec), es_timestamp: esTimestamp(final, { timeKeyNanos: true }), body: toView(decode(final.body)) };
  });
  return { rows, log: out.log, dropped: out.dropped };
}

export interface GoldenResult { file: string; status: "updated" | "same" | "different" | "missing"; diffs: string[] }

export function golden(dir: string, update: boolean): GoldenResult[] {
  const spec: GoldenSpec = JSON.parse(readFileSync(join(dir, "fbwasm.json"), "utf8"));
  const specDir = dir;
  const results: GoldenResult[] = [];
  for (const file of readdirSync(dir).filter((f) => (f.endsWith(".msgpack") || f.endsWith(".jsonl")) && !f.endsWith(".expected.jsonl")).sort()) {
    const events = loadEvents(join(dir, file), spec.tag);
    const { rows } = runSpec(spec, events, specDir);
    const expectedFile = join(dir, `${basename(file).replace(/\.(msgpack|jsonl)$/, "")}.expected.jsonl`);
    const text = rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
    if (update) {
      writeFileSync(expectedFile, text);
      results.push({ file, status: "updated", diffs: [] });
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
    results.push({ file, status: diffs.length ? "different" : "same", diffs });
  }
  return results;
}

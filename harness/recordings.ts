/** The recorded scenarios in ../shared/recordings: events, per-record analysis and ground truth. */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FbEvent, readMsgpackStream } from "./events.ts";

export const RECORDINGS = process.env.RECORDINGS_DIR ?? join(import.meta.dirname, "..", "tests", "recordings");

export interface TruthLine { id: string; cri_time: string | null; cri_time_ns: string | null; stream: string; tag: string; format: string; cri_msg: string; app_msg: string; text?: string }
export interface TruthMessage { id: string; level: "cri" | "app"; lines: string[]; stream: string }
export interface Analysis { i: number; lines?: string[]; first_line?: string; cri_time_first?: string | null; glued?: boolean; mixed_streams?: boolean; duplicate_of?: number; app_msgs?: string[]; cri_msgs?: string[] }

export interface Run {
  scenario: string;
  label: string;
  version: string;
  events: FbEvent[];
  analysis: Analysis[];
  lines: Map<string, TruthLine>;
  messages: Map<string, TruthMessage>;
}

function jsonl<T>(file: string): T[] {
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

export function runs(): Run[] {
  if (!existsSync(RECORDINGS)) throw new Error(`recordings not found at ${RECORDINGS}`);
  const out: Run[] = [];
  for (const scenario of readdirSync(RECORDINGS).filter((d) => existsSync(join(RECORDINGS, d, "truth.jsonl"))).sort()) {
    const dir = join(RECORDINGS, scenario);
    const truth = jsonl<any>(join(dir, "truth.jsonl"));
    const lines = new Map<string, TruthLine>(truth.filter((t) => t.kind === "line").map((t) => [t.id, t]));
    const messages = new Map<string, TruthMessage>(truth.filter((t) => t.kind === "message").map((t) => [t.id, t]));
    for (const f of readdirSync(dir).filter((f) => /^records\..*\.msgpack$/.test(f)).sort()) {
      const label = f.slice("records.".length, -".msgpack".length);
      const tags = jsonl<{ tag: string }>(join(dir, `records.${label}.jsonl`)).map((r) => r.tag);
      const events = readMsgpackStream(readFileSync(join(dir, f)), "").map((e, i) => ({ ...e, tag: tags[i] }));
      out.push({ scenario, label, version: label.split("-")[0].slice(1), events, analysis: jsonl<Analysis>(join(dir, `analysis.${label}.jsonl`)), lines, messages });
    }
  }
  return out;
}

/** Epoch nanoseconds from the truth's "<sec>.<9 digits>". */
export function truthNanos(s: string): bigint {
  const [sec, frac] = s.split(".");
  return BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, "0"));
}

/**
 * The event time Fluent Bit's parser filter makes of a time with nine fraction digits: the
 * fraction is read by strtod as "0.<digits>" and multiplied by 10^9 in a double, then truncated
 * (src/flb_parser.c, src/flb_parser_regex.c), which gives 1 ns less for about 1.7% of values.
 * The real-Fluent-Bit tests check this against both versions.
 */
export function parserNanos(ns: bigint): bigint {
  const B = 1_000_000_000n;
  const sec = ns / B, frac = ns % B;
  return sec * B + BigInt(Math.trunc(Number("0." + frac.toString().padStart(9, "0")) * 1e9));
}

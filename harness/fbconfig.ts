/**
 * Fluent Bit configuration files, classic (`.conf`) and YAML, read into one model, and the part
 * of a pipeline the harness can run: wasm filters, parser filters that set the event time, and
 * what the es/opensearch outputs send as `@timestamp`. Used to check the shipped examples.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { parse as parseYaml } from "yaml";
import { FbEvent } from "./events.ts";
import { FilterWasm } from "./filter-wasm.ts";
import { luaFilterEvents } from "./lua-filter.ts";
import { esTimestamp, parserStage } from "./stages.ts";

export interface Section { kind: string; props: Map<string, string[]> }
export interface FbConfig {
  service: Section;
  inputs: Section[];
  filters: Section[];
  outputs: Section[];
  parsers: Section[];
  multilineParsers: Section[];
}

const newSection = (kind: string): Section => ({ kind, props: new Map() });

export function get(s: Section, key: string): string | undefined {
  const v = s.props.get(key.toLowerCase());
  return v ? v[v.length - 1] : undefined;
}
export function getAll(s: Section, key: string): string[] {
  return s.props.get(key.toLowerCase()) ?? [];
}
function put(s: Section, key: string, value: string): void {
  const k = key.toLowerCase();
  s.props.set(k, [...(s.props.get(k) ?? []), value]);
}
export const isOn = (v: string | undefined) => v !== undefined && /^(on|true|yes|1)$/i.test(v);

function emptyConfig(): FbConfig {
  return { service: newSection("service"), inputs: [], filters: [], outputs: [], parsers: [], multilineParsers: [] };
}

/** Classic format: `[SECTION]` headers, `key value` lines, `#` comments. */
export function parseClassic(text: string, dir: string, into: FbConfig = emptyConfig()): FbConfig {
  let current: Section | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const header = /^\[([A-Z_]+)\]$/i.exec(line);
    if (header) {
      const kind = header[1].toLowerCase();
      current = kind === "service" ? into.service : newSection(kind);
      if (kind === "input") into.inputs.push(current);
      else if (kind === "filter") into.filters.push(current);
      else if (kind === "output") into.outputs.push(current);
      else if (kind === "parser") into.parsers.push(current);
      else if (kind === "multiline_parser") into.multilineParsers.push(current);
      else if (kind !== "service") throw new Error(`unknown section [${header[1]}]`);
      continue;
    }
    if (!current) throw new Error(`a setting outside any section: ${line}`);
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`a key without a value: ${line}`);
    put(current, m[1], m[2].trim().replace(/\s+/g, " "));
  }
  readParsersFiles(into, dir);
  return into;
}

function sectionFromYaml(kind: string, obj: Record<string, unknown>): Section {
  const s = newSection(kind);
  for (const [k, v] of Object.entries(obj)) {
    if (k === "rules" && Array.isArray(v)) {
      for (const r of v as Record<string, string>[]) put(s, "rule", `"${r.state}" "${r.regex}" "${r.next_state}"`);
      continue;
    }
    put(s, k, String(v));
  }
  return s;
}

/**
 * YAML format: `service` (with `parsers_file`, read as classic parsers), `parsers`,
 * `multiline_parsers`, `pipeline.{inputs,filters,outputs}`.
 */
export function parseYamlConfig(text: string, dir = "."): FbConfig {
  // Fluent Bit reads every YAML scalar as text (`false` stays "false"): the failsafe schema too.
  const doc = parseYaml(text, { schema: "failsafe" }) as Record<string, any>;
  const c = emptyConfig();
  if (doc.service) c.service = sectionFromYaml("service", doc.service);
  c.parsers = (doc.parsers ?? []).map((p: any) => sectionFromYaml("parser", p));
  c.multilineParsers = (doc.multiline_parsers ?? []).map((p: any) => sectionFromYaml("multiline_parser", p));
  c.inputs = (doc.pipeline?.inputs ?? []).map((p: any) => sectionFromYaml("input", p));
  c.filters = (doc.pipeline?.filters ?? []).map((p: any) => sectionFromYaml("filter", p));
  c.outputs = (doc.pipeline?.outputs ?? []).map((p: any) => sectionFromYaml("output", p));
  readParsersFiles(c, dir);
  return c;
}

function readParsersFiles(c: FbConfig, dir: string): void {
  for (const file of getAll(c.service, "parsers_file").splice(0)) {
    const path = file.startsWith("/") ? file : join(dir, file);
    if (existsSync(path)) parseClassic(readFileSync(path, "utf8"), dirname(path), c);
  }
  c.service.props.delete("parsers_file");
}

export function loadConfig(path: string): FbConfig {
  const text = readFileSync(path, "utf8");
  return path.endsWith(".yaml") || path.endsWith(".yml") ? parseYamlConfig(text, dirname(path)) : parseClassic(text, dirname(path));
}

/** Fluent Bit's `Match` wildcards. */
export function matches(pattern: string | undefined, tag: string): boolean {
  if (!pattern) return false;
  const re = new RegExp("^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
  return re.test(tag);
}

export interface PipelineRun {
  /** Events after the last filter, with the time each output sends. */
  events: FbEvent[];
  outputs: { name: string; times: string[] }[];
  /** Filters taken as already applied by the recording, or metadata-only (kubernetes). */
  notRun: string[];
  log: string[];
}

/** The `.wasm` a mounted module comes from: itself, or `NAME.wasm` for `NAME.aot`. */
export function wasmOf(wasmPath: string): string {
  return basename(wasmPath).replace(/\.aot$/, ".wasm");
}

/**
 * Runs the filters the harness emulates (wasm, parser) in order over events recorded after the
 * input stage; a filter before the first wasm filter is taken as already applied.
 * `wasmDir` maps the config's Wasm_Path (a path inside the container) to a local folder. A path
 * to `NAME.aot` (an AOT file mounted under that name, compiled from `NAME.wasm`; they give the same
 * output, tests/real-differential.test.ts) runs `NAME.wasm`: the harness interprets WebAssembly.
 */
export function runPipeline(c: FbConfig, events: FbEvent[], o: { wasmDir: string; luaDir?: string; fluentBitVersion?: string }): PipelineRun {
  let evs = events;
  const log: string[] = [];
  const notRun: string[] = [];
  for (const f of c.filters) {
    const name = (get(f, "name") ?? "").toLowerCase();
    if (name === "wasm") {
      const filter = new FilterWasm({ wasm: join(o.wasmDir, wasmOf(get(f, "wasm_path") ?? "")), functionName: get(f, "function_name") ?? "", eventFormat: get(f, "event_format") as never, fluentBitVersion: o.fluentBitVersion, input: "tail" });
      const touched = evs.filter((e) => matches(get(f, "match"), e.tag));
      const out = filter.filterChunk(touched);
      log.push(...out.log);
      if (out.events.length !== touched.length) throw new Error(`${out.dropped} records dropped by the wasm filter`);
      let k = 0;
      evs = evs.map((e) => (matches(get(f, "match"), e.tag) ? out.events[k++] : e));
    } else if (name === "lua") {
      // Only what the Lua twins need: a script and a function, called with the time as a table.
      if (!isOn(get(f, "time_as_table"))) throw new Error("the harness runs Lua filters with Time_as_Table On only");
      const script = join(o.luaDir ?? "lua", basename(get(f, "script") ?? ""));
      const touched = evs.filter((e) => matches(get(f, "match"), e.tag));
      const out = luaFilterEvents(script, get(f, "call") ?? "", touched, { fluentBitVersion: o.fluentBitVersion });
      if (out.length !== touched.length) throw new Error(`${touched.length - out.length} records dropped by the Lua filter`);
      let k = 0;
      evs = evs.map((e) => (matches(get(f, "match"), e.tag) ? out[k++] : e));
    } else if (name === "parser") {
      const parser = c.parsers.find((p) => get(p, "name") === get(f, "parser"));
      if (!parser) throw new Error(`parser ${get(f, "parser")} is not defined`);
      if (get(parser, "format") !== "regex" || get(parser, "regex") !== "^(?<time>.+)$" || get(parser, "time_key") !== "time") {
        throw new Error(`the harness runs only the time parser (regex ^(?<time>.+)$, Time_Key time); ${get(parser, "name")} is not one`);
      }
      evs = evs.map((e) => {
        if (!matches(get(f, "match"), e.tag)) return e;
        const r = parserStage(e, {
          keyName: get(f, "key_name") ?? "", fluentBitVersion: o.fluentBitVersion, timeFormat: get(parser, "time_format"), preserveKey: isOn(get(f, "preserve_key")),
          timeKeep: isOn(get(parser, "time_keep")), reserveData: isOn(get(f, "reserve_data")), parserName: get(parser, "name"),
        });
        log.push(...r.log);
        return r.event;
      });
    } else notRun.push(name);
  }
  const outputs = c.outputs.map((out) => {
    const name = (get(out, "name") ?? "").toLowerCase();
    const selected = evs.filter((e) => matches(get(out, "match"), e.tag));
    const times = name === "es" || name === "opensearch"
      ? selected.map((e) => esTimestamp(e, { timeKey: get(out, "time_key"), timeKeyNanos: isOn(get(out, "time_key_nanos")) }))
      : selected.map((e) => new Date(e.sec * 1000).toISOString().slice(0, 19) + "." + String(e.nsec).padStart(9, "0") + "Z");
    return { name, times };
  });
  return { events: evs, outputs, notRun, log };
}

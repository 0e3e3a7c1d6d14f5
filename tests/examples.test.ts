/**
 * Every example config: parses in both forms to the same pipeline, names only shipped modules and
 * functions, defines every parser it uses, avoids the settings the ABI notes show to lose data,
 * and, run in the harness over the recordings it was written for, gives every record its true
 * time at every output.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { FbConfig, Section, get, getAll, isOn, loadConfig, parseClassic, runPipeline, wasmOf } from "../harness/fbconfig.ts";
import { rfc3339ToNanos } from "../harness/stages.ts";
import { decode, toView } from "../harness/msgpack.ts";
import { parserNanos, runs, truthNanos } from "../harness/recordings.ts";
import { EXAMPLES, HELM_RECORDINGS, helmFiles } from "./helpers/examples.ts";

const manifest = JSON.parse(readFileSync("build/manifest.json", "utf8"));
const BUILTIN_MULTILINE = new Set(["cri", "docker", "python", "java", "go", "ruby"]);

const LUA_SCRIPTS = new Set(["cri_time.lua"]);
/** Functions of the script that are stages after a wasm filter, not twins of one. */
const LUA_STAGES = new Set(["set_event_time"]);

/** The helm values' config, as the chart lays it out (service/inputs/filters/outputs + custom parsers). */
function helmConfig(): FbConfig {
  const { main, customParsers } = helmFiles();
  return parseClassic(customParsers, "examples/helm", parseClassic(main.replace(/^\s*Parsers_File.*$/gm, ""), "examples/helm"));
}

function shape(c: FbConfig): unknown {
  const norm = (s: Section) => Object.fromEntries([...s.props.entries()].map(([k, v]) => [k, v.map((x) => x.toLowerCase().replace(/^'|'$/g, "")).join("|")]).sort());
  return { inputs: c.inputs.map(norm), filters: c.filters.map(norm), outputs: c.outputs.map(norm), parsers: c.parsers.map(norm), multiline: c.multilineParsers.map(norm) };
}

function checkRules(name: string, c: FbConfig): void {
  const wasmFilters = c.filters.filter((f) => get(f, "name")?.toLowerCase() === "wasm");
  const luaFilters = c.filters.filter((f) => get(f, "name")?.toLowerCase() === "lua");
  assert.ok(wasmFilters.length + luaFilters.length > 0, `${name}: has a wasm or Lua filter`);
  for (const f of luaFilters) {
    const script = (get(f, "script") ?? "").split("/").pop()!;
    assert.ok(LUA_SCRIPTS.has(script) && existsSync(`lua/${script}`), `${name}: ${get(f, "script")} is a shipped script`);
    assert.ok(LUA_STAGES.has(get(f, "call") ?? "") || manifest.modules.some((m: any) => !m.benchmarkOnly && m.functions.some((fn: any) => fn.name === get(f, "call"))), `${name}: ${get(f, "call")} is one of the filters`);
    assert.ok(isOn(get(f, "time_as_table")), `${name}: Time_as_Table On keeps the nanoseconds`);
  }
  for (const f of wasmFilters) {
    const file = `build/${wasmOf(get(f, "wasm_path") ?? "")}`;
    const mod = manifest.modules.find((m: any) => m.wasm === file && !m.benchmarkOnly);
    assert.ok(mod && existsSync(file), `${name}: ${get(f, "wasm_path")} is a shipped module`);
    assert.ok(mod.functions.some((fn: any) => fn.name === get(f, "function_name")), `${name}: ${get(f, "function_name")} is exported`);
    const format = get(f, "event_format") ?? "json";
    assert.ok(mod.eventFormats.includes(format), `${name}: event_format ${format} is supported`);
    // The function's manifest entry names the stage that must follow it.
    const fn = mod.functions.find((x: any) => x.name === get(f, "function_name"));
    if (fn.then) {
      const after = c.filters.slice(c.filters.indexOf(f) + 1);
      const stage = (p: Section) => (get(p, "name") === "parser" && get(p, "key_name") === "_event_time") || (get(p, "name") === "lua" && get(p, "call") === "set_event_time");
      assert.ok(after.some(stage), `${name}: ${fn.name} is followed by the parser filter on _event_time or the Lua stage set_event_time`);
    }
  }
  for (const f of c.filters.filter((x) => get(x, "name") === "parser")) {
    const parser = c.parsers.find((p) => get(p, "name") === get(f, "parser"));
    assert.ok(parser, `${name}: parser ${get(f, "parser")} is defined`);
    assert.ok(!(isOn(get(f, "preserve_key")) && isOn(get(parser!, "time_keep"))), `${name}: Preserve_Key On with Time_Keep On duplicates the key`);
    // Preserve_Key Off deletes a value that fails to parse: only for the key the filter writes when valid.
    if (!isOn(get(f, "preserve_key"))) assert.equal(get(f, "key_name"), "_event_time", `${name}: Preserve_Key Off only on _event_time`);
    assert.ok(isOn(get(f, "reserve_data")), `${name}: Reserve_Data On keeps the record`);
  }
  for (const i of c.inputs) {
    for (const p of getAll(i, "multiline.parser").flatMap((v) => v.split(",").map((x) => x.trim()))) {
      assert.ok(BUILTIN_MULTILINE.has(p) || c.multilineParsers.some((m) => get(m, "name") === p), `${name}: multiline parser ${p} is defined`);
    }
    if (get(i, "name") === "forward" && wasmFilters.length > 0) assert.ok(isOn(get(i, "threaded")), `${name}: in_forward without threaded on fails every wasm call on 5.x`);
    if (get(i, "name") === "tail") assert.ok(get(i, "db"), `${name}: tail keeps its offsets in a DB`);
  }
  for (const f of c.filters.filter((x) => get(x, "name") === "multiline")) {
    for (const p of (get(f, "multiline.parser") ?? "").split(",").map((x) => x.trim())) {
      assert.ok(BUILTIN_MULTILINE.has(p) || c.multilineParsers.some((m) => get(m, "name") === p), `${name}: multiline parser ${p} is defined`);
    }
  }
}

function checkTimes(name: string, c: FbConfig, scenarios: string[]): number {
  let checked = 0;
  // Outputs other than es/opensearch send the event time; when the parser filter set it, it is
  // the time as Fluent Bit's parser reads it (1 ns less for about 1.7% of values).
  const viaParser = c.filters.some((f) => get(f, "name") === "parser" && get(f, "key_name") === "_event_time");
  for (const run of runs().filter((r) => scenarios.includes(r.scenario))) {
    const result = runPipeline(c, run.events, { wasmDir: "build", fluentBitVersion: run.version });
    assert.deepEqual(result.log, [], `${name} on ${run.label}: nothing logged`);
    for (const out of result.outputs) {
      assert.equal(out.times.length, run.events.length, `${name}: ${out.name} gets every record`);
      out.times.forEach((t, i) => {
        const a = run.analysis[i];
        const line = a.first_line ? run.lines.get(a.first_line) : undefined;
        const input = toView(decode(run.events[i].body)) as any;
        const carried = typeof input.time === "string" ? input.time : typeof input.log === "string" ? input.log.split(" ")[0] : undefined;
        if (!line?.cri_time_ns || line.cri_time !== carried) return; // the record does not hold its time text
        const truth = truthNanos(line.cri_time_ns);
        const es = out.name === "es" || out.name === "opensearch";
        assert.equal(rfc3339ToNanos(t), viaParser && !es ? parserNanos(truth) : truth, `${name} on ${run.scenario}/${run.label}, ${out.name}, record ${i}`);
        checked++;
      });
    }
  }
  return checked;
}

for (const [name, spec] of Object.entries(EXAMPLES)) {
  test(`example ${name}: classic and YAML describe the same pipeline`, () => {
    const classic = loadConfig(`examples/${name}/fluent-bit.conf`);
    const yaml = loadConfig(`examples/${name}/fluent-bit.yaml`);
    assert.deepEqual(shape(yaml), shape(classic));
  });
  for (const form of ["conf", "yaml"]) {
    test(`example ${name} (${form}): shipped modules only, parsers defined, no data-losing settings`, () => {
      checkRules(name, loadConfig(`examples/${name}/fluent-bit.${form}`));
    });
  }
  test(`example ${name}: every record reaches every output with its true time`, () => {
    const checked = checkTimes(name, loadConfig(`examples/${name}/fluent-bit.conf`), spec.recordings);
    assert.ok(checked > 100, `${checked} records checked`);
  });
}

test("example helm values: the chart's config passes the same checks and mounts what it uses", () => {
  const c = helmConfig();
  checkRules("helm", c);
  assert.ok(checkTimes("helm", c, HELM_RECORDINGS) > 100);
  const values = parseYaml(readFileSync("examples/helm/values.yaml", "utf8")) as any;
  const mounts = values.extraVolumeMounts.map((m: any) => m.mountPath);
  for (const f of c.filters.filter((x) => get(x, "name") === "wasm")) assert.ok(mounts.some((m: string) => get(f, "wasm_path")!.startsWith(m + "/")), "the wasm is mounted");
  // The init container copies the AOT file of the node's CPU to the path the filter reads.
  const pick = values.initContainers.find((i: any) => i.name === "pick-wasm");
  const m = /cp (\/wasm-all\/)(cri_time-format\d-)\$\(uname -m\)\.aot (\S+)$/.exec(pick.command.join(" "));
  assert.ok(m, `the init container copies by CPU: ${pick.command.join(" ")}`);
  for (const arch of ["x86_64", "aarch64"]) assert.ok(existsSync(`build/aot/${m[2]}${arch}.aot`), `build/aot/${m[2]}${arch}.aot is shipped`);
  for (const f of c.filters.filter((x) => get(x, "name") === "wasm")) assert.equal(get(f, "wasm_path"), m[3], "the filter reads the file the init container writes");
  assert.ok(pick.volumeMounts.some((v: any) => v.mountPath === m[1].slice(0, -1)) && values.extraVolumes.some((v: any) => v.name === "wasm-all" && v.configMap), "the ConfigMap with every file is mounted in the init container");
  const state = values.extraVolumes.find((v: any) => v.hostPath);
  const statePath = values.extraVolumeMounts.find((m: any) => m.name === state.name).mountPath;
  const paths = [get(c.inputs[0], "db"), get(c.service, "storage.path"), ...c.outputs.map((o) => get(o, "store_dir")).filter(Boolean)];
  for (const p of paths) assert.ok(p!.startsWith(statePath + "/"), `${p} is on the hostPath`);
  assert.equal(values.kind, "DaemonSet");
  assert.equal(values.updateStrategy.type, "RollingUpdate");
});

test("example index template maps every time the filter writes as date_nanos", () => {
  const t = JSON.parse(readFileSync("examples/opensearch/index-template.json", "utf8"));
  const props = t.template.mappings.properties;
  for (const fn of manifest.modules.flatMap((m: any) => m.functions)) {
    for (const key of fn.writes.filter((k: string) => k !== "cri_check")) assert.equal(props[key]?.type, "date_nanos", key);
  }
});

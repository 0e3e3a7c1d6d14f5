/**
 * npm run bench:fluent-bit [-- --lines N] [--repeat K] [--rows TEXT] [--tail KEY=VALUE …] [--baseline DIR] [--no-readme]
 *
 * CPU and memory that real Fluent Bit spends per record on each way to give records their CRI
 * write time, every row in the same run, on every binary found (harness/real/binaries.ts): tail
 * over N raw CRI lines (5,000,000 by default) -> filters -> null. CPU is the process's user +
 * system time, read from /proc once it has been idle for two seconds (everything read and
 * filtered); RSS is read then, with the peak (VmHWM). `--repeat K` runs the rows K times, in
 * turn, and keeps each row's least CPU (the run least disturbed by the machine's other work). The
 * machine is shared: compare the rows of one run only.
 *
 * The lines were written days before the run, and a record whose event time (the read time) is
 * more than `drift_ms` from its written time gets `cri_check.drift_ms`: in a pipeline that keeps
 * up that is rare, so the benchmarked modules and Lua twin are configured with a `drift_ms` above
 * the lines' age (`fbwasm configure`, which rewrites AOT files too; the same value in the script's
 * settings): the records carry what a live pipeline's would, and the comparison with the
 * reference script, which writes no diagnostics, is like for like.
 *
 * `--baseline DIR` adds the CRI module rows again for the module in another build folder (a
 * checkout of an earlier commit's build/, with its aot/), so a change is measured against what
 * it replaces in the same run.
 *
 * `--tail` adds a setting to the tail input (Buffer_Chunk_Size=256k: fewer, larger batches). Writes bench/out/fluent-bit.json and .md, and the README's table (between the
 * `bench:fluent-bit` markers) unless --no-readme, --rows (rows whose name holds one of its
 * comma-separated texts), --tail or --baseline.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fluentBitBinaries } from "../harness/real/binaries.ts";
import { rng } from "../harness/random.ts";
import { SHIPPED } from "../scripts/shipped.ts";
import { AOT_FORMATS, aotFormatFor, aotPath, compileAot, findWamrc } from "../scripts/aot.ts";
import { compileAs } from "../scripts/asc.ts";

const SDK_EXAMPLE = "examples/sdk/drop_health_checks.ts";
import { configure } from "../harness/configure.ts";
import { CRI_SCHEMA } from "../harness/settings-block.ts";
import { luaScriptWith } from "../harness/settings-tables.ts";

const USAGE = "usage: npm run bench:fluent-bit [-- --lines N] [--repeat K] [--rows TEXT] [--tail KEY=VALUE …] [--baseline DIR] [--no-readme]";
const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
if (args.includes("--help") || args.includes("-h")) { console.log(USAGE); process.exit(0); }
const LINES = Number(opt("--lines") ?? 5_000_000);
if (!Number.isInteger(LINES) || LINES <= 0) { console.error(`bench:fluent-bit: --lines wants a positive integer\n${USAGE}`); process.exit(2); }
const REPEAT = Number(opt("--repeat") ?? 1);
if (!Number.isInteger(REPEAT) || REPEAT <= 0) { console.error(`bench:fluent-bit: --repeat wants a positive integer\n${USAGE}`); process.exit(2); }
const ONLY = opt("--rows")?.split(",").filter(Boolean);
const TAIL = args.flatMap((a, i) => (args[i - 1] === "--tail" ? [a] : []));
if (TAIL.some((t) => !/^\w[\w.]*=\S+$/.test(t))) { console.error(`bench:fluent-bit: --tail wants KEY=VALUE\n${USAGE}`); process.exit(2); }
const BASELINE = opt("--baseline");
if (BASELINE !== undefined && !existsSync(join(BASELINE, "cri_time.wasm"))) { console.error(`bench:fluent-bit: --baseline wants a build folder holding cri_time.wasm\n${USAGE}`); process.exit(2); }
const README = !args.includes("--no-readme") && !ONLY && !TAIL.length && !BASELINE;

/** ~150-byte raw CRI lines with nanosecond times, written to a file in chunks (5M lines is ~750 MB). */
function writeLogFile(path: string, n: number): void {
  const r = rng(5);
  let t = Date.UTC(2026, 10, 23, 6, 30, 0);
  const chunk: string[] = [];
  writeFileSync(path, "");
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 5);
    const time = new Date(t).toISOString().slice(0, 19) + "." + String(Math.floor(r() * 1e9)).padStart(9, "0") + "Z";
    chunk.push(`${time} ${r() < 0.3 ? "stderr" : "stdout"} F [2026-11-23 06:30:00] INFO in orders.views: GET /api/orders/${Math.floor(r() * 1e5)} 200 req=${Math.floor(r() * 1e10).toString(16)}\n`);
    if (chunk.length === 50_000 || i === n - 1) { writeFileSync(path, chunk.join(""), { flag: "a" }); chunk.length = 0; }
  }
}

const ARCH = process.arch === "arm64" ? "aarch64" : "x86_64";
const CRI = SHIPPED.find((m) => !m.benchmarkOnly)!;
const FLOOR = SHIPPED.find((m) => m.benchmarkOnly)!;
const REDACT = SHIPPED.find((m) => m.wasm === "build/redact.wasm")!;
const PARSER = "[PARSER]\n    Name event_time\n    Format regex\n    Regex ^(?<time>.+)$\n    Time_Key time\n    Time_Format %Y-%m-%dT%H:%M:%S.%L%z\n    Time_Keep Off\n";
const wasm = (file: string, fn: string) => `[FILTER]\n    Name wasm\n    Match *\n    Wasm_Path {{DIR}}/${file}\n    Function_Name ${fn}\n`;
const lua = (script: string, fn: string) => `[FILTER]\n    Name lua\n    Match *\n    Script {{DIR}}/${script}\n    Call ${fn}\n    Time_as_Table On\n`;
const parser = "[FILTER]\n    Name parser\n    Match *\n    Key_Name _event_time\n    Parser event_time\n    Preserve_Key Off\n    Reserve_Data On\n";

interface Row { name: string; filters: string; tail?: string }

/** Every row, for one Fluent Bit version (the AOT files are those of its format). */
function rows(version: string): Row[] {
  const base = (m: { wasm: string }) => basename(m.wasm);
  const aot = (m: { wasm: string }) => basename(aotPath(m.wasm, aotFormatFor(version), ARCH));
  const fns = CRI.functions.map((f) => f.name);
  return [
    { name: "no filter", filters: "" },
    { name: "native `multiline.parser cri` (no filter)", filters: "", tail: "    multiline.parser cri\n" },
    { name: "reference Lua filter (bench/reference.lua)", filters: lua("reference.lua", "cri_time") },
    ...fns.map((f) => ({ name: `Lua twin \`${f}\``, filters: lua("cri_time.lua", f) })),
    { name: "wasm passthrough floor, interpreted", filters: wasm(base(FLOOR), "passthrough") },
    { name: "wasm passthrough floor, AOT", filters: wasm(aot(FLOOR), "passthrough") },
    ...fns.map((f) => ({ name: `wasm \`${f}\`, interpreted`, filters: wasm(base(CRI), f) })),
    ...fns.map((f) => ({ name: `wasm \`${f}\`, AOT`, filters: wasm(aot(CRI), f) })),
    ...(BASELINE ? fns.flatMap((f) => [
      { name: `baseline wasm \`${f}\`, interpreted`, filters: wasm(`baseline-${base(CRI)}`, f) },
      { name: `baseline wasm \`${f}\`, AOT`, filters: wasm(`baseline-${aot(CRI)}`, f) },
    ]) : []),
    { name: "wasm `cri_event_time` + parser filter, interpreted", filters: wasm(base(CRI), "cri_event_time") + parser },
    { name: "wasm `cri_event_time` + parser filter, AOT", filters: wasm(aot(CRI), "cri_event_time") + parser },
    { name: "wasm `cri_event_time` + Lua `set_event_time`, AOT", filters: wasm(aot(CRI), "cri_event_time") + lua("cri_time.lua", "set_event_time") },
    // A filter of one's own: the SDK example beside the Lua script that does the same (README, "Write your own filter").
    { name: "SDK example `drop_health_checks`, interpreted", filters: wasm("drop_health_checks.wasm", "drop_health_checks") },
    { name: "SDK example `drop_health_checks`, AOT", filters: wasm(`drop_health_checks-format${aotFormatFor(version)}.aot`, "drop_health_checks") },
    { name: "Lua `drop_health_checks` (examples/sdk)", filters: lua("drop_health_checks.lua", "drop_health_checks") },
    // A shipped filter that reads every byte of every string: redact beside its Lua twin.
    { name: "wasm `redact_secrets`, AOT", filters: wasm(aot(REDACT), "redact_secrets") },
    { name: "Lua twin `redact_secrets`", filters: lua("redact.lua", "redact_secrets") },
  ].filter((r) => !ONLY || ONLY.some((o) => r.name.includes(o)));
}

function procStat(pid: number): { cpu: number; rssKb: number; hwmKb: number } {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  return { cpu: (Number(f[11]) + Number(f[12])) / 100, rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") }; // utime, stime at 100 Hz
}

async function run(bin: string, version: string, row: Row, dir: string): Promise<{ cpu: number; rssKb: number; hwmKb: number }> {
  const conf = `[SERVICE]\n    Flush 1\n    Log_Level warn\n    Parsers_File ${dir}/parsers.conf\n[INPUT]\n    Name tail\n    Path ${dir}/logs/*.log\n    Read_from_Head On\n${TAIL.some((t) => t.toLowerCase().startsWith("buffer_max_size=")) ? "" : "    Buffer_Max_Size 1MB\n"}${TAIL.map((t) => `    ${t.replace("=", " ")}\n`).join("")}${row.tail ?? ""}${row.filters.replaceAll("{{DIR}}", dir)}[OUTPUT]\n    Name null\n    Match *\n`;
  writeFileSync(join(dir, "fb.conf"), conf);
  const child = spawn(bin, ["-c", join(dir, "fb.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  child.stderr.on("data", (d) => { errors += d; });
  let last = -1, now = procStat(child.pid!);
  for (let idle = 0; idle < 2;) { // idle for two seconds: all read and filtered
    await new Promise((ok) => setTimeout(ok, 1000));
    if (child.exitCode !== null) throw new Error(`Fluent Bit ${version} exited during "${row.name}": ${errors.slice(-500)}`);
    now = procStat(child.pid!);
    idle = now.cpu === last ? idle + 1 : 0;
    last = now.cpu;
  }
  child.kill("SIGTERM");
  await new Promise((ok) => child.on("exit", ok));
  if (/\[error\]/.test(errors)) throw new Error(`Fluent Bit ${version} logged errors during "${row.name}": ${errors.slice(-500)}`);
  return now;
}

const dir = mkdtempSync(join(tmpdir(), "fbwasm-bench-"));
interface Result { version: string; row: string; cpuS: number; usPerRecord: number | null; rssMb: number; peakMb: number }
const results: Result[] = [];
try {
  mkdirSync(join(dir, "logs"));
  writeLogFile(join(dir, "logs", "a.log"), LINES);
  writeFileSync(join(dir, "parsers.conf"), PARSER);
  // Ten years: above the age of every line (see the top of this file).
  const DRIFT_MS = String(10 * 366 * 86_400_000);
  // drift_ms is a setting of the CRI module only; the others run as shipped.
  const live = (file: string, m: { wasm: string }) => (m === CRI ? configure(readFileSync(file), { drift_ms: DRIFT_MS }) : readFileSync(file));
  for (const m of SHIPPED) {
    writeFileSync(join(dir, basename(m.wasm)), live(m.wasm, m));
    for (const f of [3, 5]) { const p = aotPath(m.wasm, f, ARCH); writeFileSync(join(dir, basename(p)), live(p, m)); }
  }
  if (BASELINE) {
    const from = (file: string) => join(BASELINE, file.replace(/^build\//, ""));
    writeFileSync(join(dir, `baseline-${basename(CRI.wasm)}`), live(from(CRI.wasm), CRI));
    for (const f of [3, 5]) { const p = aotPath(CRI.wasm, f, ARCH); writeFileSync(join(dir, `baseline-${basename(p)}`), live(from(p), CRI)); }
  }
  writeFileSync(join(dir, "cri_time.lua"), luaScriptWith(readFileSync(CRI_SCHEMA.twin, "utf8"), CRI_SCHEMA, { drift_ms: DRIFT_MS }));
  writeFileSync(join(dir, "reference.lua"), readFileSync("bench/reference.lua"));
  writeFileSync(join(dir, "redact.lua"), readFileSync("lua/redact.lua"));
  // The SDK example, compiled here (it is not shipped), for both AOT formats when the compilers are found.
  compileAs(SDK_EXAMPLE, join(dir, "drop_health_checks.wasm"));
  for (const f of AOT_FORMATS) {
    const wamrc = findWamrc(f.wamrc);
    if (wamrc) compileAot(wamrc, f, ARCH, join(dir, "drop_health_checks.wasm"), join(dir, `drop_health_checks-format${f.format}.aot`));
  }
  writeFileSync(join(dir, "drop_health_checks.lua"), readFileSync("examples/sdk/drop_health_checks.lua"));
  for (const b of fluentBitBinaries()) {
    console.log(`\nFluent Bit ${b.version}, ${LINES} lines${REPEAT > 1 ? `, least of ${REPEAT} runs` : ""}: CPU s, us per record above no filter, RSS / peak MB`);
    const best = new Map<string, { cpu: number; rssKb: number; hwmKb: number }>();
    for (let k = 0; k < REPEAT; k++) {
      for (const row of rows(b.version)) {
        const s = await run(b.path, b.version, row, dir);
        const had = best.get(row.name);
        if (!had || s.cpu < had.cpu) best.set(row.name, s);
      }
    }
    let floor = 0;
    for (const row of rows(b.version)) {
      const s = best.get(row.name)!;
      if (row.name === "no filter") floor = s.cpu;
      const r: Result = { version: b.version, row: row.name, cpuS: s.cpu, usPerRecord: row.name === "no filter" ? null : ((s.cpu - floor) / LINES) * 1e6, rssMb: s.rssKb / 1024, peakMb: s.hwmKb / 1024 };
      results.push(r);
      console.log(`${row.name.padEnd(54)} ${s.cpu.toFixed(2).padStart(7)} ${r.usPerRecord === null ? "".padStart(7) : r.usPerRecord.toFixed(2).padStart(7)} ${r.rssMb.toFixed(0).padStart(5)} / ${r.peakMb.toFixed(0)}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** The table: one row per pipeline, per version: CPU, us per record, the ratio to the reference Lua filter, RSS. */
function table(): string {
  const versions = [...new Set(results.map((r) => r.version))];
  const names = [...new Set(results.map((r) => r.row))];
  const ref = (v: string) => results.find((r) => r.version === v && r.row.startsWith("reference"))!;
  const cell = (v: string, n: string) => {
    const r = results.find((x) => x.version === v && x.row === n);
    if (!r) return " | | |";
    const ratio = r.usPerRecord === null || !ref(v) ? "" : `${(r.cpuS / ref(v).cpuS).toFixed(2)}x`;
    return ` ${r.cpuS.toFixed(2)} | ${ratio} | ${r.rssMb.toFixed(0)} / ${r.peakMb.toFixed(0)} |`;
  };
  const head = `| pipeline |${versions.map((v) => ` ${v} CPU s | vs reference Lua | RSS / peak MB |`).join("")}\n|---|${versions.map(() => "---|---|---|").join("")}\n`;
  return head + names.map((n) => `| ${n} |${versions.map((v) => cell(v, n)).join("")}`).join("\n") + "\n";
}

const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? process.arch;
const md = `Tail over ${LINES.toLocaleString("en-US")} raw CRI lines (~150 bytes) -> filters -> null, one run${REPEAT > 1 ? ` (each row the least CPU of ${REPEAT}, taken in turn)` : ""}, ${cpu}, ${new Date().toISOString().slice(0, 10)}; CPU is user + system seconds of the whole Fluent Bit process; "vs reference Lua" is the row's CPU over the reference Lua filter's; \`drift_ms\` set above the lines' age (bench/fluent-bit.ts says why).\n\n${table()}`;
mkdirSync("bench/out", { recursive: true });
writeFileSync("bench/out/fluent-bit.json", JSON.stringify({ lines: LINES, repeat: REPEAT, cpu, results }, null, 2) + "\n");
writeFileSync("bench/out/fluent-bit.md", md);
console.log("\nwrote bench/out/fluent-bit.json and bench/out/fluent-bit.md");
if (README) {
  const readme = readFileSync("README.md", "utf8");
  const re = /(<!-- bench:fluent-bit -->\n)[\s\S]*?(<!-- \/bench:fluent-bit -->)/;
  if (!re.test(readme)) console.error("README.md has no <!-- bench:fluent-bit --> markers: table not written there");
  else { writeFileSync("README.md", readme.replace(re, `$1${md}$2`)); console.log("wrote the table into README.md"); }
}

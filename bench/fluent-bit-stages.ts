/**
 * npm run bench:stages [-- --lines N]
 *
 * CPU that real Fluent Bit spends per record on the ways to carry the recovered time into the event
 * time, every row in the same run, on every binary found (harness/real/binaries.ts): tail over N
 * CRI lines (`multiline.parser cri`) -> filters -> null. CPU is the process's user + system time,
 * read from /proc once it has been idle for a second (everything read and filtered). The machine
 * is shared: compare rows of one run only.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fluentBitBinaries } from "../harness/real/binaries.ts";
import { rng } from "../tests/helpers/fuzz.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--lines");
const LINES = at >= 0 ? Number(args[at + 1]) : 200_000;
if (!Number.isInteger(LINES) || LINES <= 0) { console.error("bench:stages: --lines wants a positive integer"); process.exit(2); }

/** ~150-byte CRI lines with nanosecond times. */
function logFile(n: number): string {
  const r = rng(5);
  let t = Date.UTC(2026, 10, 23, 6, 30, 0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 5);
    const time = new Date(t).toISOString().slice(0, 19) + "." + String(Math.floor(r() * 1e9)).padStart(9, "0") + "Z";
    out.push(`${time} ${r() < 0.3 ? "stderr" : "stdout"} F [2026-11-23 06:30:00] INFO in orders.views: GET /api/orders/${Math.floor(r() * 1e5)} 200 req=${Math.floor(r() * 1e10).toString(16)}`);
  }
  return out.join("\n") + "\n";
}

const PARSER = "[PARSER]\n    Name event_time\n    Format regex\n    Regex ^(?<time>.+)$\n    Time_Key time\n    Time_Format %Y-%m-%dT%H:%M:%S.%L%z\n    Time_Keep Off\n";
const wasm = (fn: string) => `[FILTER]\n    Name wasm\n    Match *\n    Wasm_Path {{DIR}}/cri_time.wasm\n    Function_Name ${fn}\n`;
const lua = (fn: string) => `[FILTER]\n    Name lua\n    Match *\n    Script {{DIR}}/cri_time.lua\n    Call ${fn}\n    Time_as_Table On\n`;
const parser = "[FILTER]\n    Name parser\n    Match *\n    Key_Name _event_time\n    Parser event_time\n    Preserve_Key Off\n    Reserve_Data On\n";

const ROWS: [string, string][] = [
  ["no filter", ""],
  ["wasm cri_event_time", wasm("cri_event_time")],
  ["wasm cri_event_time + parser filter", wasm("cri_event_time") + parser],
  ["wasm cri_event_time + lua set_event_time", wasm("cri_event_time") + lua("set_event_time")],
  ["lua cri_event_time (the twin)", lua("cri_event_time")],
];

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

async function run(bin: string, filters: string, log: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "fbwasm-bench-"));
  try {
    mkdirSync(join(dir, "logs"));
    writeFileSync(join(dir, "logs", "a.log"), log);
    writeFileSync(join(dir, "parsers.conf"), PARSER);
    writeFileSync(join(dir, "cri_time.wasm"), readFileSync("build/cri_time.wasm"));
    writeFileSync(join(dir, "cri_time.lua"), readFileSync("lua/cri_time.lua"));
    const conf = `[SERVICE]\n    Flush 1\n    Log_Level warn\n    Parsers_File ${dir}/parsers.conf\n[INPUT]\n    Name tail\n    Path ${dir}/logs/*.log\n    multiline.parser cri\n    Read_from_Head On\n    Buffer_Max_Size 1MB\n${filters.replaceAll("{{DIR}}", dir)}[OUTPUT]\n    Name null\n    Match *\n`;
    writeFileSync(join(dir, "fb.conf"), conf);
    const child = spawn(bin, ["-c", join(dir, "fb.conf")], { stdio: "ignore" });
    let last = -1, cpu = 0;
    for (;;) { // idle for a second: all read and filtered
      await new Promise((ok) => setTimeout(ok, 1000));
      cpu = cpuSeconds(child.pid!);
      if (cpu === last) break;
      last = cpu;
    }
    child.kill("SIGTERM");
    await new Promise((ok) => child.on("exit", ok));
    return cpu;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const log = logFile(LINES);
for (const b of fluentBitBinaries()) {
  console.log(`\nFluent Bit ${b.version}, ${LINES} lines, CPU seconds (us per record above no filter)`);
  let floor = 0;
  for (const [name, filters] of ROWS) {
    const s = await run(b.path, filters, log);
    if (!filters) floor = s;
    console.log(`${name.padEnd(44)} ${s.toFixed(2).padStart(7)}  ${filters ? (((s - floor) / LINES) * 1e6).toFixed(2).padStart(7) : ""}`);
  }
}

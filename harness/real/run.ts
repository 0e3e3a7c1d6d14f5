/**
 * Runs a real Fluent Bit on a configuration, in a temporary folder of its own, and gives back what
 * it wrote: the files its outputs left there and its log. Events go in through the forward input
 * (see forward-client.ts) or through files a tail input reads.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ForwardMessage, sendForward } from "./forward-client.ts";
import { FluentBitProcess } from "./process.ts";

export interface FluentBitRunOptions {
  bin: string;
  /** The configuration text; `{{DIR}}`, `{{DIR_TAG}}` and `{{PORT}}` are replaced by the run's folder, that folder as a tag part and the forward port. */
  config: string;
  /** Its file name in the run's folder (fluent-bit.conf; a .yaml name for the YAML form). */
  configName?: string;
  /** More files to write into the run's folder first (parsers, scripts, modules, log files), by relative path. */
  files?: Record<string, string | Uint8Array>;
  /** Messages to send to the forward input on `{{PORT}}`. */
  forward?: ForwardMessage[];
  /** Called once Fluent Bit runs (and the forward messages are acknowledged): write or rotate files here. */
  during?: (dir: string) => Promise<void>;
  /** The run is over once the output folder (and `watch`) has not changed for this long. */
  quietMs?: number;
  /** More state to wait on, e.g. what a local receiver has received. */
  watch?: () => string;
  /** Give up after this long. */
  timeoutMs?: number;
  /** Keep the folder for inspection (FBWASM_KEEP_RUNS=1 keeps every run's). */
  keep?: boolean;
  /** More environment variables for Fluent Bit. */
  env?: Record<string, string>;
  /** Extra command-line arguments (e.g. --dry-run). */
  args?: string[];
  /** Wait for Fluent Bit to exit by itself (a --dry-run) instead of stopping it. */
  untilExit?: boolean;
  /** With untilExit: the process is expected to fail (a refused start-up); its exit code is returned, not thrown. */
  expectsFailure?: boolean;
  /**
   * Accept a crash in the shutdown after SIGTERM: tail with `multiline.parser cri` aborts there
   * when a partial (P) message is still open (2.1.8 and 5.1.1; docs/fluent-bit-facts.md,
   * "Shutdown"). The caller checks what was delivered.
   */
  toleratesCrashAfterStop?: boolean;
}

export interface FluentBitRun {
  dir: string;
  exitCode: number | null;
  /** Fluent Bit crashed after it had stopped (see toleratesCrashAfterStop). */
  crashedAfterStop: boolean;
  /** Fluent Bit's own log (stdout and stderr together). */
  log: string;
  /** Every file under `out/`, by name. */
  outputs: Map<string, Uint8Array>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

async function waitForPort(port: number, deadline: number, exited: () => boolean): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect({ host: "127.0.0.1", port });
      s.once("connect", () => { s.destroy(); res(true); });
      s.once("error", () => res(false));
    });
    if (ok) return;
    if (exited()) throw new Error("Fluent Bit exited before its forward input listened");
    if (Date.now() > deadline) throw new Error(`Fluent Bit did not listen on port ${port} in time`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

function snapshot(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, f.name);
      if (f.isDirectory()) walk(p); else parts.push(`${p}:${statSync(p).size}`);
    }
  };
  walk(dir);
  return parts.sort().join("|");
}

function readOutputs(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (d: string, prefix: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      if (f.isDirectory()) walk(join(d, f.name), `${prefix}${f.name}/`);
      else out.set(prefix + f.name, readFileSync(join(d, f.name)));
    }
  };
  walk(dir, "");
  return out;
}

/**
 * Starts Fluent Bit, feeds it, waits until its outputs are quiet, stops it with SIGTERM (it
 * flushes what it holds first) and collects what it wrote under `{{DIR}}/out`.
 */
export async function runFluentBit(o: FluentBitRunOptions): Promise<FluentBitRun> {
  const dir = mkdtempSync(join(tmpdir(), "fbwasm-real-"));
  const outDir = join(dir, "out");
  mkdirSync(outDir);
  const port = o.forward ? await freePort() : 0;
  // {{DIR_TAG}}: the folder as tail writes it into a tag (slashes as dots).
  const fill = (s: string) => s.replaceAll("{{DIR_TAG}}", dir.replace(/^\//, "").replaceAll("/", ".")).replaceAll("{{DIR}}", dir).replaceAll("{{PORT}}", String(port));
  for (const [rel, content] of Object.entries(o.files ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), typeof content === "string" ? fill(content) : content);
  }
  writeFileSync(join(dir, o.configName ?? "fluent-bit.conf"), fill(o.config));
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let stopped = false;
  const fb = new FluentBitProcess(o.bin, join(dir, o.configName ?? "fluent-bit.conf"), { cwd: dir, env: o.env, args: o.args });
  let failure: unknown;
  try {
    if (o.forward) {
      await waitForPort(port, deadline, () => !fb.running);
      await sendForward(port, o.forward);
    }
    if (o.during) await o.during(dir);
    if (o.untilExit) {
      await fb.waitForExit(Math.max(0, deadline - Date.now()));
    }
    // Quiet: nothing under out/ changed for quietMs.
    const quiet = o.quietMs ?? 1500;
    const state = () => snapshot(outDir) + "|" + (o.watch?.() ?? "");
    let last = state(), since = Date.now();
    while (fb.running && Date.now() - since < quiet) {
      if (Date.now() > deadline) throw new Error(`Fluent Bit's outputs did not settle in time\n${fb.log.slice(-4000)}`);
      await sleep(100);
      const now = state();
      if (now !== last) { last = now; since = Date.now(); }
    }
  } catch (e) {
    failure = e;
  } finally {
    if (fb.running) {
      stopped = true;
      await fb.stop("SIGTERM");
    }
  }
  if (!failure && !stopped && !o.untilExit) failure = new Error("Fluent Bit exited by itself");
  const { code: exitCode, signal } = fb.exit!;
  const log = fb.log;
  const crashedAfterStop = stopped && fb.crashedAfterStop;
  if (!failure && (exitCode !== 0 || signal) && !(crashedAfterStop && o.toleratesCrashAfterStop) && !(o.untilExit && o.expectsFailure)) failure = new Error(`Fluent Bit did not stop cleanly (exit code ${exitCode}, signal ${signal})`);
  if (failure) {
    // The log says why (a crash, a refused config): it goes with the error.
    throw new Error(`${(failure as Error).message}\nexit code ${exitCode}, signal ${signal}, folder ${dir}; Fluent Bit's log ends:\n${log.slice(-3000)}`);
  }
  const run = { dir, exitCode, crashedAfterStop, log, outputs: readOutputs(outDir) };
  if (!o.keep && !process.env.FBWASM_KEEP_RUNS) rmSync(dir, { recursive: true, force: true });
  else writeFileSync(join(dir, "fluent-bit.log"), log);
  return run;
}

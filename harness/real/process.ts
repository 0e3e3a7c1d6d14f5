/**
 * One real Fluent Bit process on a configuration file: started, its log kept, stopped with
 * SIGTERM (it flushes what it holds first, within its `Grace`) or killed with SIGKILL (what a
 * node losing power, the OOM killer or a pod past its grace period does). A folder may see
 * several processes one after another, as a DaemonSet's node sees the old pod and the new one.
 */
import { ChildProcess, spawn } from "node:child_process";

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export class FluentBitProcess {
  /** Fluent Bit's own log (stdout and stderr together). */
  log = "";
  exit: Exit | undefined;
  private readonly child: ChildProcess;
  private readonly exited: Promise<Exit>;

  constructor(bin: string, configPath: string, opts: { cwd: string; env?: Record<string, string>; args?: string[] }) {
    this.child = spawn(bin, ["-c", configPath, ...(opts.args ?? [])], { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
    this.child.stdout!.on("data", (d) => { this.log += d; });
    this.child.stderr!.on("data", (d) => { this.log += d; });
    this.child.on("error", (e) => { this.log += `\nspawn failed: ${e.message}`; });
    this.exited = new Promise((ok) => this.child.on("exit", (code, signal) => { this.exit = { code, signal }; ok(this.exit); }));
  }

  get running(): boolean { return this.exit === undefined; }

  /** Waits for the process to end by itself; SIGKILL after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<Exit> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const e = await this.exited;
    clearTimeout(timer);
    return e;
  }

  /** SIGTERM, then SIGKILL if it has not ended after `graceMs`; SIGKILL at once with `kill`. */
  async stop(how: "SIGTERM" | "SIGKILL" = "SIGTERM", graceMs = 20_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill(how);
    return this.waitForExit(graceMs);
  }

  /**
   * After a SIGTERM: Fluent Bit crashed in its shutdown. Tail with `multiline.parser cri` aborts
   * there when a partial (P) message is still open (2.1.8 and 5.1.1), usually after it logged
   * that it stopped with nothing pending, on a loaded machine earlier (docs/fluent-bit-facts.md,
   * "Shutdown"). What was delivered is for the caller to check.
   */
  get crashedAfterStop(): boolean {
    return this.exit !== undefined && (this.exit.code !== 0 || this.exit.signal !== null)
      && /caught signal \(SIGTERM\)[\s\S]*caught signal \(SIG(SEGV|ABRT)\)/.test(this.log);
  }
}

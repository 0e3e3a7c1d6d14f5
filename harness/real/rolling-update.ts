/**
 * A node through a DaemonSet's rolling updates, with real Fluent Bit: containers keep writing
 * (harness/real/kubelet-log.ts) while Fluent Bit is
 *   1. running through a log rotation,
 *   2. stopped with SIGTERM and started again 2 s later (the old pod deleted, the new one
 *      scheduled) with the same DB and storage path (the hostPath),
 *   3. stopped with SIGTERM, every log rotated while it is down, started again,
 *   4. killed with SIGKILL (a pod past its grace period, the OOM killer, a node reset), started
 *      again,
 * then left to deliver what it holds. The result says which written lines the index holds,
 * which it holds twice, and how often the output sent a document the index already had.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BulkReceiver } from "./bulk-receiver.ts";
import { Coverage, indexCoverage } from "./index-coverage.ts";
import { ContainerSpec, KubeletLogs, WrittenLine, writeEvent } from "./kubelet-log.ts";
import { FluentBitProcess } from "./process.ts";

export const CONTAINERS: ContainerSpec[] = [
  { namespace: "shop", pod: "checkout-web-809177575-4dggt", container: "web" },
  { namespace: "shop", pod: "checkout-web-809177575-4dggt", container: "sidecar" },
  { namespace: "payments", pod: "ledger-5d8f7c9b6-x2k4q", container: "ledger" },
];

export interface RollingUpdateOptions {
  bin: string;
  /** The configuration, made local (local-example.ts); `{{DIR}}` and `{{DIR_TAG}}` are the node's folder. */
  config: string;
  configName: string;
  files: Record<string, string | Uint8Array>;
  receiver: BulkReceiver;
  env?: Record<string, string>;
  /** Time between a container's events. */
  eventEveryMs?: number;
  /** Delivery is over once the index has not changed for this long. */
  quietMs?: number;
}

export interface RollingUpdateResult extends Coverage {
  written: WrittenLine[];
  /** Documents sent again for an `_id` the index held (refused with 409, harmless). */
  conflicts: number;
  /** Documents the index holds. */
  indexed: number;
  /** Stops after which Fluent Bit crashed instead of exiting (see FluentBitProcess.crashedAfterStop). */
  crashesAfterStop: number;
  /** When the SIGKILL was sent, in nanoseconds since the epoch (the clock of the lines' times). */
  killedAt: bigint;
  /** When each stop of the timeline (the SIGTERMs and the SIGKILL) was sent, the same clock. */
  stoppedAt: bigint[];
  /** Every process's log, one after another. */
  log: string;
  dir: string;
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

export async function runRollingUpdate(o: RollingUpdateOptions): Promise<RollingUpdateResult> {
  const dir = mkdtempSync(join(tmpdir(), "fbwasm-node-"));
  const fill = (s: string) => s.replaceAll("{{DIR_TAG}}", dir.replace(/^\//, "").replaceAll("/", ".")).replaceAll("{{DIR}}", dir);
  for (const [rel, content] of Object.entries(o.files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), typeof content === "string" ? fill(content) : content);
  }
  mkdirSync(join(dir, "out"), { recursive: true });
  const configPath = join(dir, o.configName);
  writeFileSync(configPath, fill(o.config));
  o.receiver.clear();

  const logs = new KubeletLogs(dir, CONTAINERS);
  let n = 0;
  const writer = setInterval(() => { for (let c = 0; c < CONTAINERS.length; c++) writeEvent(logs, c, n); n++; }, o.eventEveryMs ?? 150);
  const processes: FluentBitProcess[] = [];
  let killedAt = 0n;
  const stoppedAt: bigint[] = [];
  const now = () => BigInt(Date.now()) * 1_000_000n;
  const start = () => { const p = new FluentBitProcess(o.bin, configPath, { cwd: dir, env: o.env }); processes.push(p); return p; };
  const ensureRunning = (p: FluentBitProcess) => {
    if (!p.running) throw new Error(`Fluent Bit ended by itself (${JSON.stringify(p.exit)}):\n${p.log.slice(-3000)}`);
  };
  try {
    let fb = start();
    await sleep(2500);
    logs.rotate(0);
    await sleep(2000);
    ensureRunning(fb);
    stoppedAt.push(now());
    await fb.stop("SIGTERM");
    await sleep(2000);
    fb = start();
    await sleep(3000);
    ensureRunning(fb);
    stoppedAt.push(now());
    await fb.stop("SIGTERM");
    for (let c = 0; c < CONTAINERS.length; c++) logs.rotate(c);
    await sleep(2000);
    fb = start();
    await sleep(3000);
    ensureRunning(fb);
    killedAt = now();
    stoppedAt.push(killedAt);
    await fb.stop("SIGKILL");
    await sleep(1500);
    fb = start();
    await sleep(2500);
    clearInterval(writer);
    // Delivered: the index unchanged for quietMs (a P piece's or a group's flush timer, the
    // outputs' retries).
    const quiet = o.quietMs ?? 8000;
    const state = () => `${o.receiver.docs.length}|${o.receiver.conflicts}|${o.receiver.requests}`;
    let last = state(), since = Date.now();
    const deadline = Date.now() + 120_000;
    while (Date.now() - since < quiet) {
      if (Date.now() > deadline) throw new Error("the index did not settle in 120 s");
      await sleep(200);
      const now = state();
      if (now !== last) { last = now; since = Date.now(); }
    }
    ensureRunning(fb);
    await fb.stop("SIGTERM");
  } finally {
    clearInterval(writer);
    for (const p of processes) if (p.running) await p.stop("SIGKILL");
    logs.close();
  }
  const coverage = indexCoverage(logs.lines, o.receiver.docs.map((d) => d.doc));
  const result: RollingUpdateResult = {
    ...coverage,
    written: logs.lines,
    conflicts: o.receiver.conflicts,
    indexed: o.receiver.docs.length,
    killedAt,
    stoppedAt,
    crashesAfterStop: processes.filter((p) => p.crashedAfterStop).length,
    log: processes.map((p, i) => `---- process ${i + 1}: ${JSON.stringify(p.exit)}\n${p.log}`).join("\n"),
    dir,
  };
  if (!process.env.FBWASM_KEEP_RUNS) rmSync(dir, { recursive: true, force: true });
  else writeFileSync(join(dir, "fluent-bit.log"), result.log);
  return result;
}

/**
 * Container log files laid out, written and rotated as a node's kubelet and container runtime
 * do, for real Fluent Bit to tail while they change:
 *   - the runtime writes `{DIR}/pods/<namespace>_<pod>_<uid>/<container>/0.log`, one CRI line
 *     per write (`<RFC 3339 time, 9 digits> <stream> <P|F> <text>`), a long message as P pieces
 *     ending with an F line;
 *   - kubelet links it as `{DIR}/containers/<pod>_<namespace>_<container>-<64 hex>.log`;
 *   - kubelet rotates it by renaming `0.log` to `0.log.<YYYYMMDD-HHMMSS>`; the runtime keeps
 *     writing into the renamed file through its open descriptor until kubelet asks it to reopen
 *     the path (a new file, a new inode); kubelet then compresses the rotated files but the newest
 *     (`.gz.tmp`, renamed to `.gz`, the original removed), as pkg/kubelet/logs does.
 * Every physical line written is kept, in order, as the ground truth a test checks the index
 * against. Times strictly increase across all containers, so a time names one line.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export interface ContainerSpec { namespace: string; pod: string; container: string }

export interface WrittenLine {
  /** Index into the writer's containers. */
  container: number;
  nanos: bigint;
  stream: "stdout" | "stderr";
  partial: boolean;
  text: string;
}

interface Open { spec: ContainerSpec; dir: string; fd: number }

const pad = (n: number | bigint, w: number) => String(n).padStart(w, "0");

/** `2023-10-16T09:48:55.123456789Z` for an instant in nanoseconds since the epoch. */
export function criTime(nanos: bigint): string {
  const d = new Date(Number(nanos / 1_000_000n));
  return `${d.toISOString().slice(0, 19)}.${pad(nanos % 1_000_000_000n, 9)}Z`;
}

/** kubelet's rotation suffix, `20060102-150405` in Go's layout, UTC. */
function rotationSuffix(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}-${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}`;
}

export class KubeletLogs {
  readonly lines: WrittenLine[] = [];
  private readonly open: Open[] = [];
  private lastNanos = 0n;
  private rotations = 0;

  constructor(readonly dir: string, readonly specs: ContainerSpec[]) {
    mkdirSync(join(dir, "containers"), { recursive: true });
    specs.forEach((spec, i) => {
      const uid = `0000000${i}-aaaa-4bbb-8ccc-${pad(i, 12)}`;
      const podDir = join(dir, "pods", `${spec.namespace}_${spec.pod}_${uid}`, spec.container);
      mkdirSync(podDir, { recursive: true });
      const id = (i + 1).toString(16).padStart(2, "0").repeat(32);
      symlinkSync(join(podDir, "0.log"), join(dir, "containers", `${spec.pod}_${spec.namespace}_${spec.container}-${id}.log`));
      this.open.push({ spec, dir: podDir, fd: openSync(join(podDir, "0.log"), "a") });
    });
  }

  /** The next time: the wall clock in nanoseconds, at least 1 ns after the last line's. */
  private now(): bigint {
    const wall = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
    this.lastNanos = wall > this.lastNanos ? wall : this.lastNanos + 1n;
    return this.lastNanos;
  }

  /** Writes one physical line, as one write() (the runtime's granularity). */
  write(container: number, stream: "stdout" | "stderr", text: string, partial = false): void {
    const nanos = this.now();
    writeSync(this.open[container].fd, `${criTime(nanos)} ${stream} ${partial ? "P" : "F"} ${text}\n`);
    this.lines.push({ container, nanos, stream, partial, text });
  }

  /**
   * Rotates one container's log: rename, `linesBeforeReopen` more lines into the renamed file,
   * reopen, then compress every rotated file but the newest.
   */
  rotate(container: number, linesBeforeReopen = 2): void {
    const o = this.open[container];
    // Two rotations within one second would collide in kubelet too; keep the names apart.
    const suffix = `${rotationSuffix(Date.now() + 1000 * this.rotations++)}`;
    renameSync(join(o.dir, "0.log"), join(o.dir, `0.log.${suffix}`));
    for (let k = 0; k < linesBeforeReopen; k++) this.write(container, "stdout", `${o.spec.container} written after the rename ${this.lines.length}`);
    closeSync(o.fd);
    o.fd = openSync(join(o.dir, "0.log"), "a");
    const rotated = readdirSync(o.dir).filter((f) => /^0\.log\.\d{8}-\d{6}$/.test(f)).sort();
    for (const f of rotated.slice(0, -1)) {
      writeFileSync(join(o.dir, `${f}.gz.tmp`), gzipSync(readFileSync(join(o.dir, f))));
      renameSync(join(o.dir, `${f}.gz.tmp`), join(o.dir, `${f}.gz`));
      rmSync(join(o.dir, f));
    }
  }

  close(): void {
    for (const o of this.open) closeSync(o.fd);
  }
}

/**
 * What an application writes, one event per call: plain lines, a long message the runtime splits
 * into P pieces, a Python traceback on stderr. Every line carries the container's name and a
 * counter, so no two lines of the run have the same text.
 */
export function writeEvent(logs: KubeletLogs, container: number, n: number): void {
  const c = logs.specs[container].container;
  switch (n % 6) {
    case 3:
      logs.write(container, "stdout", `${c} long message ${n} first piece;`, true);
      logs.write(container, "stdout", ` second piece ${n};`, true);
      logs.write(container, "stdout", ` last piece ${n}`);
      break;
    case 5:
      logs.write(container, "stderr", "Traceback (most recent call last):");
      logs.write(container, "stderr", `  File "app.py", line ${n}, in handle`);
      logs.write(container, "stderr", `    raise ValueError("request ${n}")`);
      logs.write(container, "stderr", `ValueError: ${c} request ${n}`);
      break;
    default:
      logs.write(container, "stdout", `${c} request ${n} served`);
  }
}

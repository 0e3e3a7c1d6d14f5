/**
 * What a user hands `fbwasm run` and golden folders, told apart by its bytes rather than its name
 * (out_file names a file after its tag, so `kube.var.log.containers.x.log` may well hold
 * out_file lines, not a container log):
 *   - a msgpack event stream (out_file `Format msgpack`): its first byte is an array header;
 *   - a container log file (CRI lines, or docker json-file lines): harness/container-log.ts;
 *   - JSON lines in any of the forms of harness/json-lines.ts.
 */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { EventTimeMode, containerLogEvent, tailTag } from "./container-log.ts";
import { FbEvent, readOneEvent } from "./events.ts";
import { jsonLineEvent } from "./json-lines.ts";
import { MpReader } from "./msgpack.ts";

export type InputKind = "msgpack" | "container-log" | "json-lines";

/** The tag of a msgpack stream or JSON line that names none (out_file writes none into the file). */
export const DEFAULT_TAG = "golden";

const CRI_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) (stdout|stderr) [FP]( |$)/;

function isDockerJsonFile(line: string): boolean {
  try {
    const o = JSON.parse(line);
    return typeof o === "object" && o !== null && typeof o.log === "string" && typeof o.stream === "string" && typeof o.time === "string" && Object.keys(o).length === 3;
  } catch { return false; }
}

export function inputKind(bytes: Uint8Array): InputKind {
  // Text starts with a byte below 0x80; every msgpack event starts with an array header (0x9X, 0xdc, 0xdd).
  if (bytes.length && bytes[0] >= 0x80) return "msgpack";
  const text = Buffer.from(bytes.subarray(0, 65536)).toString("utf8");
  const first = text.split("\n").find((l) => l.trim()) ?? "";
  return CRI_LINE.test(first) || isDockerJsonFile(first.replace(/\r$/, "")) ? "container-log" : "json-lines";
}

export interface LoadOptions {
  tag?: string;
  /** The event time of records that carry none (container log lines, bare JSON records). */
  eventTime?: EventTimeMode;
}

/**
 * The events of a file in batches of `size`, read as they are needed: a text file a MiB at a
 * time, a msgpack stream decoded event by event from its bytes. Memory stays within the file's
 * bytes (msgpack) or one block (text) plus one batch, whatever the number of records.
 */
export function* eventBatches(file: string, o: LoadOptions = {}, size = 1000): Generator<FbEvent[], void, undefined> {
  const kind = inputKindOf(file);
  const fd = openSync(file, "r");
  try {
    if (kind === "msgpack") {
      const r = new MpReader(readFileSync(fd));
      const tag = o.tag ?? DEFAULT_TAG;
      for (let batch: FbEvent[] = []; ; ) {
        if (r.done) { if (batch.length) yield batch; return; }
        batch.push(readOneEvent(r, tag));
        if (batch.length === size) { yield batch; batch = []; }
      }
    }
    const nowUs = BigInt(Date.now()) * 1000n;
    const tag = kind === "container-log" ? o.tag ?? tailTag(file) : o.tag;
    const mode = o.eventTime ?? "read";
    let batch: FbEvent[] = [];
    let i = 0;
    for (const line of lines(fd)) {
      const e = kind === "container-log" ? containerLogEvent(line, i, tag!, mode, nowUs) : jsonLineEvent(line, i, { file, tag, defaultTag: DEFAULT_TAG, eventTime: mode }, nowUs);
      i++;
      if (!e) continue;
      batch.push(e);
      if (batch.length === size) { yield batch; batch = []; }
    }
    if (batch.length) yield batch;
  } finally {
    closeSync(fd);
  }
}

/** The lines of a file without their line breaks; a last empty line (the final break) is none. */
function* lines(fd: number): Generator<string> {
  const block = Buffer.alloc(1 << 20);
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for (let pos = 0; ; ) {
    const n = readSync(fd, block, 0, block.length, pos);
    pos += n;
    const text = rest + (n ? decoder.write(block.subarray(0, n)) : decoder.end());
    const parts = text.split("\n");
    rest = parts.pop()!;
    yield* parts;
    if (!n) { if (rest) yield rest; return; }
  }
}

/** The kind of a file, by its first 64 KiB. */
export function inputKindOf(file: string): InputKind {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(65536);
    return inputKind(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
  } finally {
    closeSync(fd);
  }
}

/** Every event of a file at once (golden folders: one filter call per recording). */
export function loadEvents(file: string, o: LoadOptions = {}): FbEvent[] {
  const events: FbEvent[] = [];
  for (const b of eventBatches(file, o, 65536)) for (const e of b) events.push(e);
  return events;
}

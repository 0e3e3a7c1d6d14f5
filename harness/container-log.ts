/**
 * A container log file as it is on a node (`/var/log/containers/*.log`), turned into the events
 * the tail input gives the filter chain: one record per line, without its line break.
 *   - A CRI line (`<time> <stream> <tag> <message>`) becomes `{"log": <the whole line>}`, as tail
 *     without a parser (or a multiline parser that keeps the line) hands it on.
 *   - A docker json-file line (`{"log":…,"stream":…,"time":…}`) becomes that object, as tail with
 *     the `docker` parser gives it (`Time_Keep On`).
 * The tag is the one `Tag kube.*` makes: `kube.` and the file's absolute path with `/` as `.`.
 * The event time is what Fluent Bit would stamp: the read time (the time of loading, 1 µs more
 * for each line, as lines read in one batch are stamped microseconds apart), one stuck time for
 * every record (the 2.x multiline symptom), or a time given as `<sec>.<9 digits>`.
 */
import { resolve } from "node:path";
import { FbEvent, fromView, makeEvent } from "./events.ts";
import { InputError } from "./input-error.ts";
import { MpValue, mp } from "./msgpack.ts";

export type EventTimeMode = "read" | "stuck" | { sec: number; nsec: number };

export function parseEventTime(text: string): EventTimeMode {
  if (text === "read" || text === "stuck") return text;
  const m = /^(\d+)\.(\d{9})$/.exec(text);
  if (!m) throw new InputError(`--event-time ${text}: want read, stuck or <sec>.<9 digits>`);
  return { sec: Number(m[1]), nsec: Number(m[2]) };
}

/** The tag of `Tag kube.*` for a file: kube.var.log.containers.x.log */
export function tailTag(path: string, prefix = "kube."): string {
  return prefix + resolve(path).replace(/^\/+/, "").replaceAll("/", ".");
}

export function readContainerLog(text: string, path: string, o: { tag?: string; eventTime?: EventTimeMode; now?: number } = {}): FbEvent[] {
  const tag = o.tag ?? tailTag(path);
  const nowUs = BigInt(o.now ?? Date.now()) * 1000n;
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((line, i) => containerLogEvent(line, i, tag, o.eventTime ?? "read", nowUs));
}

/** The event of the i-th line of a container log file read at `nowUs`. */
export function containerLogEvent(line: string, i: number, tag: string, mode: EventTimeMode, nowUs: bigint): FbEvent {
  let body: MpValue = mp.obj({ log: mp.str(line) });
  if (line.startsWith("{")) {
    try {
      const o = JSON.parse(line);
      if (o && typeof o === "object" && !Array.isArray(o) && typeof o.log === "string") body = fromView(o);
    } catch { /* not docker json-file: kept as the line */ }
  }
  const t = eventTimeAt(mode, i, nowUs);
  return makeEvent(tag, t.sec, t.nsec, body);
}

/** The event time of the i-th record read at `nowUs` (µs since the epoch), as the mode says. */
export function eventTimeAt(mode: EventTimeMode, i: number, nowUs: bigint): { sec: number; nsec: number } {
  if (typeof mode === "object") return mode;
  const us = mode === "stuck" ? nowUs : nowUs + BigInt(i);
  return { sec: Number(us / 1_000_000n), nsec: Number(us % 1_000_000n) * 1000 };
}

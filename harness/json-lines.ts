/**
 * Events from JSON lines, in every form a user is likely to hold, one event per line:
 *   - `{"tag","ts","meta","body"}`: the lossless form fbwasm writes (`--out x.jsonl`); `body` and
 *     `meta` may carry the view wrappers (`{"$int":"…"}`, `{"$bin":"…"}`) of harness/msgpack.ts;
 *   - `TAG: [<sec>.<9 digits>, {record}]`: out_file's default format (nanoseconds kept);
 *   - `{"date":<sec>.<6 digits>, …record}`: the stdout output's `Format json_lines` (microseconds,
 *     rounded: Fluent Bit writes `1697449735.123457` for …123456789);
 *   - `[time, record]` or `[[time, metadata], record]`: an event as JSON;
 *   - `{…record}` alone (out_file `Format plain`, or any record): it gets the event time of
 *     `eventTime`, as a container log line does.
 * A time is seconds as a number or a string, with up to 9 fraction digits (more are cut), or
 * RFC 3339. Numbers in a record are JSON's: an integer becomes a msgpack integer, `1.0` too.
 * The forms were checked against what real Fluent Bit 2.1.8 and 5.1.1 write
 * (tests/real-json-lines.test.ts).
 */
import { EventTimeMode, eventTimeAt } from "./container-log.ts";
import { FbEvent, fromView } from "./events.ts";
import { InputError } from "./input-error.ts";
import { encode } from "./msgpack.ts";
import { rfc3339ToNanos } from "./stages.ts";

export interface JsonLinesOptions {
  /** The file, for error messages. */
  file?: string;
  /** The tag of every event; default the line's own, else `defaultTag`. */
  tag?: string;
  defaultTag?: string;
  /** The event time of a line that carries none (default: the read time). */
  eventTime?: EventTimeMode;
  /** Milliseconds since the epoch the lines are "read" at (default now). */
  now?: number;
}

export const JSON_LINE_FORMS = `{"tag","ts","body"}, TAG: [time, {record}] (out_file), {"date":time, ...} (stdout json_lines), [time, {record}], or a record object`;

type Time = { sec: number; nsec: number };

/** Seconds with up to 9 fraction digits, or RFC 3339; undefined when it is neither. */
export function parseTimeText(text: string): Time | undefined {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (m) return { sec: Number(m[1]), nsec: Number(((m[2] ?? "") + "000000000").slice(0, 9)) };
  const ns = rfc3339ToNanos(text);
  if (ns === undefined || ns < 0n) return undefined;
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

/** A JSON time: a number is read by its shortest decimal form, so 1697449735.123457 stays .123457000. */
function parseTime(v: unknown): Time | undefined {
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v < 0) return undefined;
    const text = String(v);
    return /e/i.test(text) ? { sec: Math.floor(v), nsec: Math.round((v - Math.floor(v)) * 1e9) } : parseTimeText(text);
  }
  return typeof v === "string" ? parseTimeText(v) : undefined;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** out_file's default format: `TAG: [1697449735.123456789, {"log":"…"}]`. */
const OUT_FILE_LINE = /^([^\s[{"][^\s]*): \[(\d+(?:\.\d+)?), (\{.*\})\]$/;

export function readJsonLines(text: string, o: JsonLinesOptions = {}): FbEvent[] {
  const nowUs = BigInt(o.now ?? Date.now()) * 1000n;
  const out: FbEvent[] = [];
  text.split("\n").forEach((line, i) => { const e = jsonLineEvent(line, i, o, nowUs); if (e) out.push(e); });
  return out;
}

/** The event of the i-th line (0-based) read at `nowUs`; undefined for a blank line. */
export function jsonLineEvent(rawLine: string, i: number, o: JsonLinesOptions, nowUs: bigint): FbEvent | undefined {
  const line = rawLine.replace(/\r$/, "");
  if (!line.trim()) return undefined;
  const bad = (why: string) => new InputError(`${o.file ? `${o.file}:` : "line "}${i + 1}: ${why}`);
  let tag: string | undefined, time: Time | undefined, meta: unknown = {}, body: unknown;
  const outFile = OUT_FILE_LINE.exec(line);
  let v: unknown;
  try { v = JSON.parse(outFile ? outFile[3] : line); } catch (e) { throw bad(`not JSON (${(e as Error).message}); want one of ${JSON_LINE_FORMS}`); }
  if (outFile) {
    [tag, time, body] = [outFile[1], parseTimeText(outFile[2]), v];
  } else if (Array.isArray(v)) {
    if (v.length !== 2 || !isObject(v[1])) throw bad("an event array is [time, {record}] or [[time, {metadata}], {record}]");
    const head = v[0];
    if (Array.isArray(head)) { time = parseTime(head[0]); meta = head[1] ?? {}; } else time = parseTime(head);
    if (!time) throw bad(`the event time ${JSON.stringify(Array.isArray(head) ? head[0] : head)} is not seconds or RFC 3339`);
    body = v[1];
  } else if (isObject(v) && "ts" in v && "body" in v) {
    time = parseTime(v.ts);
    if (!time) throw bad(`"ts":${JSON.stringify(v.ts)} is not seconds ("<sec>.<up to 9 digits>") or RFC 3339`);
    if (v.tag !== undefined && typeof v.tag !== "string") throw bad(`"tag" is not a string`);
    [tag, meta, body] = [v.tag as string | undefined, v.meta ?? {}, v.body];
  } else if (isObject(v) && "date" in v && parseTime(v.date)) {
    const { date, ...record } = v;
    [time, body] = [parseTime(date), record];
  } else if (isObject(v)) {
    body = v;
  } else throw bad(`want one of ${JSON_LINE_FORMS}`);
  if (!isObject(body)) throw bad("the record is not a JSON object (Fluent Bit's records are maps)");
  if (!isObject(meta)) throw bad("the metadata is not a JSON object");
  const t = time ?? eventTimeAt(o.eventTime ?? "read", i, nowUs);
  return { tag: o.tag ?? tag ?? o.defaultTag ?? "", sec: t.sec, nsec: t.nsec, timeKind: "eventtime", format: "v2", meta: encode(fromView(meta)), body: encode(fromView(body)) };
}

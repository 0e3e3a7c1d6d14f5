/**
 * Fluent Bit event streams: the msgpack form `out_file format msgpack` writes
 * (`[[time, metadata], body]`, legacy `[time, body]`) and the JSON Lines form of the recordings (written here; read by harness/json-lines.ts).
 * Bodies and metadata stay raw msgpack bytes, so nothing a filter did not touch is re-encoded.
 */
import { MpReader, MpValue, MpWriter, MsgpackError, decode, encode, mp, toView, unhex } from "./msgpack.ts";
import { decodeEventTime, isEventTime, writeEventTime } from "./event-time.ts";

export interface FbEvent {
  tag: string;
  sec: number;
  nsec: number;
  /** How the time was encoded: EventTime ext 0, an integer, or a float. */
  timeKind: "eventtime" | "int" | "float";
  format: "v2" | "legacy";
  meta: Uint8Array;
  body: Uint8Array;
  /** Group start/end marker (v4.2+ streams): time -1 / -2. */
  group?: "start" | "end";
  /** The stream wrote the event's arrays with array32 headers (Fluent Bit 2.x does). */
  wideHeaders?: boolean;
}

export const EMPTY_MAP = Uint8Array.of(0x80);

export function makeEvent(tag: string, sec: number, nsec: number, body: MpValue | Uint8Array, meta: Uint8Array = EMPTY_MAP): FbEvent {
  return { tag, sec, nsec, timeKind: "eventtime", format: "v2", meta, body: body instanceof Uint8Array ? body : encode(body) };
}

function readTime(v: MpValue, at: number): { sec: number; nsec: number; kind: FbEvent["timeKind"]; group?: FbEvent["group"] } {
  if (isEventTime(v)) return { ...decodeEventTime(v.b), kind: "eventtime" };
  if (v.t === "int") {
    if (v.v === -1n) return { sec: 0, nsec: 0, kind: "int", group: "start" };
    if (v.v === -2n) return { sec: 0, nsec: 0, kind: "int", group: "end" };
    return { sec: Number(v.v), nsec: 0, kind: "int" };
  }
  if (v.t === "float") {
    const sec = Math.floor(v.v);
    return { sec, nsec: Math.round((v.v - sec) * 1e9), kind: "float" };
  }
  throw new MsgpackError("event time is neither EventTime, integer nor float", at);
}

/**
 * Decodes a whole stream. A corrupt stream is an error naming the byte offset: nothing is skipped.
 */
export function readMsgpackStream(bytes: Uint8Array, tag: string): FbEvent[] {
  const events: FbEvent[] = [];
  const r = new MpReader(bytes);
  while (!r.done) events.push(readOneEvent(r, tag));
  return events;
}

const isTime = (v: MpValue) => isEventTime(v) || v.t === "int" || v.t === "float";

/** A map's first byte: fixmap, map16, map32. */
export const isMapByte = (b: number | undefined) => b !== undefined && ((b & 0xf0) === 0x80 || b === 0xde || b === 0xdf);

/** The event at the cursor (either form); an error naming the offset when the item there is none. */
export function readOneEvent(r: MpReader, tag: string): FbEvent {
  const e = readEventOrWhyNot(r, tag);
  if ("whyNot" in e) throw new MsgpackError(e.whyNot, e.at);
  return e;
}

/**
 * The event at the cursor, or why the item there is none (the cursor is then somewhere inside
 * it). Each value is read once; only bytes no reader can pass (truncated, invalid, nested deeper
 * than the reader's limit) throw. Depths are those of the item's containers, as read() counts them.
 */
export function readEventOrWhyNot(r: MpReader, tag: string): FbEvent | { whyNot: string; at: number } {
  const at = r.pos;
  const wideHeaders = r.bytes[at] === 0xdd;
  if (r.arrayHeader() !== 2) return { whyNot: "event is not a 2-element array", at };
  const headAt = r.pos;
  const headLen = r.arrayHeader();
  const notTime = { whyNot: "event time is neither EventTime, integer nor float", at: headAt };
  let v: MpValue, meta: Uint8Array, format: FbEvent["format"];
  if (headLen === 2) {
    v = r.read(2);
    if (!isTime(v)) return notTime;
    const ms = r.pos;
    if (!isMapByte(r.bytes[ms])) return { whyNot: "event metadata is not a map", at: ms };
    r.skip(2);
    meta = r.bytes.slice(ms, r.pos);
    format = "v2";
  } else if (headLen === undefined) {
    v = r.read(1);
    if (!isTime(v)) return notTime;
    meta = EMPTY_MAP;
    format = "legacy";
  } else return { whyNot: "event header is not [time, metadata]", at: headAt };
  const time = readTime(v, headAt);
  const [bs, be] = r.skip(1);
  return { tag, sec: time.sec, nsec: time.nsec, timeKind: time.kind, format, meta, body: r.bytes.slice(bs, be), group: time.group, wideHeaders: wideHeaders || undefined };
}

export function encodeTime(w: MpWriter, e: Pick<FbEvent, "sec" | "nsec" | "timeKind" | "group">): void {
  if (e.group) { w.int(e.group === "start" ? -1n : -2n); return; }
  if (e.timeKind === "int") { w.int(BigInt(e.sec)); return; }
  if (e.timeKind === "float") { w.f64(e.sec + e.nsec / 1e9); return; }
  writeEventTime(w, e);
}

export function writeMsgpackStream(events: FbEvent[]): Uint8Array {
  const w = new MpWriter();
  for (const e of events) {
    const header = (n: number) => (e.wideHeaders ? w.arr32Header(n) : w.arrHeader(n));
    header(2);
    if (e.format === "v2") { header(2); encodeTime(w, e); w.bytes(e.meta); } else encodeTime(w, e);
    w.bytes(e.body);
  }
  return w.finish();
}

export function formatTs(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, "0")}`;
}

/** JSON Lines: `{"tag","ts":"<sec>.<9-digit nsec>","meta","body"}` with the lossless view wrappers. */
export function writeJsonLines(events: FbEvent[]): string {
  return events.map((e) => JSON.stringify({ tag: e.tag, ts: formatTs(e.sec, e.nsec), meta: toView(decode(e.meta)), body: toView(decode(e.body)) })).join("\n") + (events.length ? "\n" : "");
}

/** Inverse of `toView`: JSON with wrappers back to msgpack values. */
export function fromView(x: unknown): MpValue {
  if (x === null) return mp.nil();
  if (typeof x === "boolean") return mp.bool(x);
  if (typeof x === "number") return Number.isInteger(x) ? mp.int(x) : mp.f64(x);
  if (typeof x === "string") return mp.str(x);
  if (Array.isArray(x)) return mp.arr(x.map(fromView));
  const o = x as Record<string, unknown>;
  const num = (n: unknown) => (n === "NaN" ? NaN : n === "Infinity" ? Infinity : n === "-Infinity" ? -Infinity : n === "-0" ? -0 : Number(n));
  if ("$int" in o) return { t: "int", v: BigInt(o.$int as string) };
  if ("$f64" in o) return { t: "float", v: num(o.$f64), bits: 64 };
  if ("$f32" in o) return { t: "float", v: num(o.$f32), bits: 32 };
  if ("$bin" in o) return { t: "bin", b: unhex(o.$bin as string) };
  if ("$ext" in o) return { t: "ext", type: o.$ext as number, b: unhex(o.hex as string) };
  if ("$str_hex" in o) return { t: "str", b: unhex(o.$str_hex as string) };
  if ("$map" in o) return mp.map((o.$map as [unknown, unknown][]).map(([k, v]) => [fromView(k), fromView(v)]));
  return mp.map(Object.entries(o).map(([k, v]) => [mp.str(k), fromView(v)]));
}

/**
 * Fluent Bit's EventTime, the msgpack extension its events carry their time in: ext type 0, eight
 * bytes, the seconds since 1970 then the nanoseconds, each an unsigned 32-bit big-endian number
 * (src/flb_time.c, flb_time_append_to_msgpack and flb_time_msgpack_to_time). Older streams and
 * some inputs carry the time as a plain integer or float instead (harness/events.ts).
 */
import { MpValue, MpWriter } from "./msgpack.ts";

export const EVENT_TIME_EXT = 0;

export interface EventTime { sec: number; nsec: number }

/** Is the value an EventTime (ext type 0 of exactly 8 bytes)? */
export function isEventTime(v: MpValue): v is { t: "ext"; type: number; b: Uint8Array } {
  return v.t === "ext" && v.type === EVENT_TIME_EXT && v.b.length === 8;
}

export function decodeEventTime(b: Uint8Array): EventTime {
  const dv = new DataView(b.buffer, b.byteOffset, 8);
  return { sec: dv.getUint32(0), nsec: dv.getUint32(4) };
}

/** Both fields are written modulo 2^32, as Fluent Bit's uint32 fields hold them. */
export function encodeEventTime(t: EventTime): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, t.sec >>> 0);
  dv.setUint32(4, t.nsec >>> 0);
  return b;
}

export function writeEventTime(w: MpWriter, t: EventTime): void {
  w.ext(EVENT_TIME_EXT, encodeEventTime(t));
}

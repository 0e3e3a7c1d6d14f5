/**
 * A chunk after the filters, read back as Fluent Bit reads it: the events decoding outputs
 * (stdout, es, out_file json) see, and every top-level item out_file `format msgpack` writes.
 */
import { FbEvent, readOneEvent } from "./events.ts";
import { MpReader } from "./msgpack.ts";

export interface ChunkView {
  /** Events as a decoding output reads the chunk: they stop at the first bare item. */
  events: FbEvent[];
  /** Every top-level item out_file `format msgpack` writes, events and bare items alike. */
  items: ({ event: FbEvent } | { bare: Uint8Array })[];
  /** Raw chunk bytes (undefined: the chunk had zero records and is skipped). */
  chunk?: Uint8Array;
  /** The chunk holds bytes no decoder can read past. */
  undecodable: boolean;
}

/** Reads a chunk as Fluent Bit's outputs do (see ChunkResult), with the event decoder's nesting limit. */
export function readChunk(chunk: Uint8Array, tag: string, depthLimit: number): ChunkView {
  // Fluent Bit's event decoder reads events from the start (with msgpack-c's nesting limit)
  // and stops at the first item that is not an event with a map body. Decoding outputs see
  // those events; with none, the chunk has "zero records" and is skipped whole.
  const events: FbEvent[] = [];
  const counter = new MpReader(chunk, 0, chunk.length, depthLimit);
  try {
    while (!counter.done) {
      const ev = readOneEventLenient(counter, tag);
      if (!ev) break;
      events.push(ev);
    }
  } catch { /* the decoder stops here */ }
  if (events.length === 0) return { events, items: [], chunk: undefined, undecodable: false };
  // out_file `format msgpack` writes the raw chunk: every item, events and bare ones.
  const items: ChunkView["items"] = [];
  let undecodable = false;
  const r = new MpReader(chunk);
  while (!r.done) {
    const start = r.pos;
    try {
      const ev = readOneEventLenient(r, tag);
      if (ev) { items.push({ event: ev }); continue; }
      r.pos = start;
      const [s, e] = r.skip();
      items.push({ bare: chunk.slice(s, e) });
    } catch {
      undecodable = true;
      break;
    }
  }
  return { events, items, chunk, undecodable };
}

function readOneEventLenient(r: MpReader, tag: string): FbEvent | undefined {
  const start = r.pos;
  const v = r.read();
  if (v.t !== "arr" || v.items.length !== 2 || v.items[0].t !== "arr" || v.items[0].items.length !== 2) return undefined;
  const t = v.items[0].items[0];
  if (!(t.t === "ext" && t.type === 0 && t.b.length === 8) && t.t !== "int" && t.t !== "float") return undefined;
  if (v.items[0].items[1].t !== "map" || v.items[1].t !== "map") return undefined;
  // Re-read for raw spans of metadata and body.
  const end = r.pos;
  r.pos = start;
  const ev = readOneEvent(r, tag);
  r.pos = end;
  return ev;
}

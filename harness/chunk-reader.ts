/**
 * A chunk after the filters, read back as Fluent Bit reads it: the events decoding outputs
 * (stdout, es, out_file json) see, and every top-level item out_file `format msgpack` writes.
 * One pass: each item is read once (again only where a reader's nesting limit stopped it).
 */
import { FbEvent, isMapByte, readEventOrWhyNot } from "./events.ts";
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

type Item = ChunkView["items"][number];

/**
 * The item at `start`: an event as the event decoder takes one (`[[time, metadata], body]`, both
 * maps), else bare bytes. Throws where no reader with `maxDepth` can pass.
 */
function readItem(chunk: Uint8Array, start: number, tag: string, maxDepth?: number): { item: Item; end: number } {
  const r = new MpReader(chunk, start, chunk.length, maxDepth);
  const e = readEventOrWhyNot(r, tag);
  if (!("whyNot" in e) && e.format === "v2" && isMapByte(e.body[0])) return { item: { event: e }, end: r.pos };
  r.pos = start;
  const [s, end] = r.skip();
  return { item: { bare: chunk.slice(s, end) }, end };
}

/** The nesting limits of Fluent Bit's two readers of a chunk (harness/versions.ts). */
export interface ChunkDepthLimits {
  /** The count that decides whether the chunk holds records at all. */
  count: number;
  /** The decoder outputs read events with. */
  decode: number;
}

/** Reads a chunk as Fluent Bit's outputs do (see ChunkResult), with its readers' nesting limits. */
export function readChunk(chunk: Uint8Array, tag: string, limits: ChunkDepthLimits): ChunkView {
  // Fluent Bit counts a chunk's records from the start and stops at the first item that is no
  // event with a map body (or nested past its limit); with none, the chunk has "zero records"
  // and is skipped whole. Decoding outputs read events the same way, with their own limit, and
  // see those before it. out_file `format msgpack` writes the raw chunk: every item.
  const events: FbEvent[] = [];
  const items: Item[] = [];
  const zeroRecords = { events, items: [], chunk: undefined, undecodable: false };
  let records = 0;
  let decoding = true; // still in the events a decoding output reads
  let counting = true; // still in the records the count takes
  let undecodable = false;
  for (let pos = 0; pos < chunk.length;) {
    let got;
    try {
      got = readItem(chunk, pos, tag, decoding ? limits.decode : counting ? limits.count : undefined);
    } catch {
      // A reader stops here; the next one, with a higher limit (out_file's has none), goes on.
      if (decoding) decoding = false;
      else if (counting) counting = false;
      else { undecodable = true; break; }
      if (!counting && records === 0) return zeroRecords;
      continue;
    }
    if ("event" in got.item) {
      if (decoding) events.push(got.item.event);
      if (counting) records++;
    } else {
      decoding = counting = false;
      if (records === 0) return zeroRecords;
    }
    items.push(got.item);
    pos = got.end;
  }
  return { events, items, chunk, undecodable };
}

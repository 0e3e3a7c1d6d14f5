/** Loading the conformance vectors and building the events they describe. */
import { readFileSync } from "node:fs";
import { FbEvent, makeEvent } from "../../harness/events.ts";
import { encode, hex, mp, unhex } from "../../harness/msgpack.ts";

export function loadVectors<T = Record<string, any>>(file: string): T & { vectors: any[] } {
  return JSON.parse(readFileSync(`tests/conformance/${file}`, "utf8"));
}

/** The event an input vector was sent as (the body as Fluent Bit stored it). */
export function inputEvent(v: any): FbEvent {
  return makeEvent(v.tag, v.event_time.sec, v.event_time.nsec, unhex(v.stored_body_hex));
}

/** An output vector's record (`{"emit_hex": …}`) and the sentinel that follows it in its chunk. */
export function outputChunk(v: any, i: number): FbEvent[] {
  let returned: string;
  if (v.returned_hex !== undefined) returned = v.returned_hex;
  else {
    // The two 1 MiB cases are given by their generator.
    const m = /^'(.*)' \+ '(.)'\.repeat\((\d+)\) \+ '(.*)'$/.exec(v.returned_generator);
    if (!m) throw new Error(`cannot rebuild ${v.name}: ${v.returned_generator}`);
    returned = Buffer.from(m[1].replace(/\\"/g, '"') + m[2].repeat(Number(m[3])) + m[4].replace(/\\"/g, '"'), "utf8").toString("hex");
  }
  const meta = (extra: Record<string, ReturnType<typeof mp.int>>) => encode(mp.obj({ vec: mp.int(i), ...extra }));
  const t = v.input_event.time;
  return [
    makeEvent(v.tag, t.sec, t.nsec, mp.obj({ emit_hex: mp.str(returned) }), meta({})),
    makeEvent(v.tag, t.sec, t.nsec + 100000000, mp.obj({ sentinel: mp.bool(true) }), meta({ sentinel: mp.bool(true) })),
  ];
}

export function bodyHex(e: FbEvent): string {
  return hex(e.body);
}

/** Log lines a harness run is compared on: what Fluent Bit logs about the filter itself. */
export function filterLogLines(lines: string[]): string[] {
  return lines.filter((l) => !l.startsWith("[debug] [yyjson->msgpack]") && !l.startsWith("[debug] [output]") && !l.includes("[ info]"));
}

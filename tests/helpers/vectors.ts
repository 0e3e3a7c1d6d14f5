/** Loading the conformance vectors and building the events they describe. */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
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
    returned = Buffer.from(rebuild(v.returned_generator)).toString("hex");
    if (createHash("sha256").update(Buffer.from(returned, "hex")).digest("hex") !== v.returned_sha256) throw new Error(`${v.name}: rebuilt bytes differ from the recorded sha256`);
  }
  const meta = (extra: Record<string, ReturnType<typeof mp.int>>) => encode(mp.obj({ vec: mp.int(i), ...extra }));
  const t = v.input_event.time;
  return [
    makeEvent(v.tag, t.sec, t.nsec, mp.obj({ emit_hex: mp.str(returned) }), meta({})),
    makeEvent(v.tag, t.sec, t.nsec + 100000000, mp.obj({ sentinel: mp.bool(true) }), meta({ sentinel: mp.bool(true) })),
  ];
}

/** The 1 MiB cases are given by a generator description instead of their bytes. */
function rebuild(gen: string): Uint8Array {
  let m = /^'(.*)' \+ '(.)'\.repeat\((\d+)\) \+ '(.*)'$/.exec(gen);
  if (m) return Buffer.from(m[1].replace(/\\"/g, '"') + m[2].repeat(Number(m[3])) + m[4].replace(/\\"/g, '"'), "utf8");
  m = /^hex '([0-9a-f]+)' followed by (\d+) times \(hex '([0-9a-f]+)' \+ (\d+) bytes 0x([0-9a-f]{2})\)$/.exec(gen);
  if (m) {
    const unit = Buffer.concat([Buffer.from(m[3], "hex"), Buffer.alloc(Number(m[4]), parseInt(m[5], 16))]);
    return Buffer.concat([Buffer.from(m[1], "hex"), ...Array(Number(m[2])).fill(unit)]);
  }
  m = /^hex '([0-9a-f]+)' followed by (\d+) bytes 0x([0-9a-f]{2})$/.exec(gen);
  if (m) return Buffer.concat([Buffer.from(m[1], "hex"), Buffer.alloc(Number(m[2]), parseInt(m[3], 16))]);
  throw new Error(`cannot rebuild: ${gen}`);
}

export function bodyHex(e: FbEvent): string {
  return hex(e.body);
}

/** Log lines a harness run is compared on: what Fluent Bit logs about the filter itself. */
export function filterLogLines(lines: string[]): string[] {
  return lines.filter((l) => !l.startsWith("[debug] [yyjson->msgpack]") && !l.startsWith("[debug] [output]") && !l.includes("[ info]"));
}

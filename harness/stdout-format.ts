/**
 * Events printed the way Fluent Bit's `stdout` output prints them (msgpack-c's object printer):
 * `[N] tag: [[sec.nsec, {meta}], {"key"=>value, …}]`, strings raw.
 */
import { FbEvent } from "./events.ts";
import { MpValue, decode } from "./msgpack.ts";

function printValue(v: MpValue): string {
  switch (v.t) {
    case "nil": return "nil";
    case "bool": return v.v ? "true" : "false";
    case "int": return v.v.toString();
    case "float": return Number.isInteger(v.v) && Math.abs(v.v) < 1e21 ? v.v.toFixed(6) : String(v.v);
    case "str": return `"${Buffer.from(v.b).toString("utf8")}"`;
    case "bin": return `"${Buffer.from(v.b).toString("latin1")}"`;
    case "ext": return `(ext: ${v.type})"${Buffer.from(v.b).toString("hex")}"`;
    case "arr": return `[${v.items.map(printValue).join(", ")}]`;
    case "map": return `{${v.entries.map(([k, x]) => `${printValue(k)}=>${printValue(x)}`).join(", ")}}`;
  }
}

/** `first`: the number of the first event (Fluent Bit counts from 0 in each chunk; fbwasm run counts on). */
export function formatStdout(events: FbEvent[], first = 0): string {
  return events
    .map((e, i) => `[${first + i}] ${e.tag}: [[${e.sec}.${String(e.nsec).padStart(9, "0")}, ${printValue(decode(e.meta))}], ${printValue(decode(e.body))}]\n`)
    .join("");
}

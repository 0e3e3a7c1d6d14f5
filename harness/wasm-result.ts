/**
 * What Fluent Bit does with the buffer a wasm filter returns: in JSON mode it reads the text back
 * with its JSON reader (jsmn before 5.0, yyjson from 5.0: fb-json-in.ts), and drops the record on
 * an empty string, text that is not JSON, or JSON that is not an object; in msgpack mode it
 * appends the bytes without looking (docs/fluent-bit-facts.md, "The text a filter returns").
 */
import { packJsonV2, packJsonV5 } from "./fb-json-in.ts";

/** What Fluent Bit makes of the returned buffer (already cut at its first NUL): the body, or undefined (dropped). */
export function acceptResult(out: Uint8Array, o: { eventFormat: "json" | "msgpack"; json: "v2" | "v5"; name: string }, log: string[]): Uint8Array | undefined {
  if (o.eventFormat === "msgpack") return out; // appended without validation (docs/fluent-bit-facts.md, "The text a filter returns")
  if (out.length === 0) {
    log.push(`[debug] [filter:wasm:${o.name}] WASM function returned empty string. Skip.`);
    return undefined;
  }
  const packed = o.json === "v5" ? packJsonV5(out) : packJsonV2(out);
  const text = Buffer.from(out).toString("utf8");
  if (!packed.ok) {
    log.push(`[error] [filter:wasm:${o.name}] invalid JSON format. ret: -1, buf: ${text}`);
    return undefined;
  }
  if (!packed.rootIsMap) {
    log.push(`[error] [filter:wasm:${o.name}] invalid JSON format. ret: 0, buf: ${text}`);
    return undefined;
  }
  return packed.bytes;
}

// What a filter returns to Fluent Bit: the address of a NUL-terminated buffer in linear memory,
// read as JSON (event_format json) or as msgpack cut at its first NUL (event_format msgpack).
import { outFailed, outStart, putByte } from "./writer";

/**
 * Keep the record as Fluent Bit sent it: its own copy, which it NUL-terminates in json mode.
 * Caution (docs/fluent-bit-facts.md, "The text a filter returns"): in json mode Fluent Bit hands over text that is not JSON for
 * some records (unquoted non-string keys, `\xHH` ext values, `nan`); returned as it came, such a
 * record is dropped. A filter that may see those must return a mended copy (core/json.ts).
 * In msgpack mode the body is not NUL-terminated: never return it unchanged there.
 */
// @ts-ignore: decorator
@inline export function resultUnchanged(record: usize): usize {
  return record;
}

/**
 * The record written into the output buffer replaces the input: NUL-terminates it and returns
 * its address, or `otherwise` when the buffer could not grow (the caller's safe answer, usually
 * the input itself: a record is never lost to a failed allocation).
 */
export function resultReplaced(otherwise: usize): usize {
  putByte(0);
  return outFailed ? otherwise : outStart;
}

// A filter of your own on this toolkit's core: copies the record (mended into JSON Fluent Bit
// accepts) and adds the record's tag as "fluent_tag". Build it with
//   npx asc examples/custom-filter/add_tag.ts --config asconfig.json --target release -o build/add_tag.wasm
// and test it in the harness (tests/custom-filter.test.ts shows how).
import { beginCall } from "../../assembly/abi/arena";
import { resultReplaced, resultUnchanged } from "../../assembly/abi/result";
import { outReset, putAscii, putByte, putJsonEscaped } from "../../assembly/abi/writer";
import { copyKey, copyValue, jsonError, setJsonError, skipWs } from "../../assembly/core/json";
export { malloc, free } from "../../assembly/abi/exports";
import "../../assembly/abi/abort";

export function add_tag(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  const start = beginCall(); // where this call may write (the arena is reset for the next record)
  const end = rec + <usize>recLen;
  outReset(start, <usize>recLen * 3 + <usize>tagLen * 6 + 64);
  setJsonError(false);
  let p = skipWs(rec, end);
  if (p >= end || load<u8>(p) != 0x7b) return resultUnchanged(rec); // not an object: Fluent Bit never sends one
  putByte(0x7b);
  p++;
  let first = true;
  let last: usize = 0;
  for (;;) {
    p = skipWs(p, end);
    if (p >= end || load<u8>(p) == 0x7d || p == last || jsonError) break;
    last = p;
    if (load<u8>(p) == 0x2c) { p++; continue; }
    if (!first) putByte(0x2c);
    first = false;
    p = copyValue(copyKey(p, end, true), end); // key and value, copied in one pass
  }
  if (!first) putByte(0x2c);
  putAscii("\"fluent_tag\":\"");
  putJsonEscaped(tag, <usize>tagLen);
  putAscii("\"}");
  // Never lose a record: if anything went wrong, hand the text back as it came.
  return jsonError ? resultUnchanged(rec) : resultReplaced(rec);
}

// Direct entry points into the AssemblyScript core for table-driven and property tests.
import { beginCall } from "../../assembly/abi/arena";
import { outReset, outStart, putByte } from "../../assembly/abi/writer";
import { parseRfc3339, parsedLen, parsedNsec, parsedSec } from "../../assembly/core/time";
import { putRfc3339Utc } from "../../assembly/core/format-time";
import { CriStatus, criMessage, criStream, criTag, parseCriHeader } from "../../assembly/core/cri";
import { copyValue, jsonError, setJsonError } from "../../assembly/core/json";
export { malloc, free } from "../../assembly/abi/exports";
import "../../assembly/abi/abort";

/** Status of parsing [p, p+len); results through the getters below. */
export function parse_time(p: usize, len: i32): i32 {
  return parseRfc3339(p, len);
}
export function parsed_sec(): i64 { return parsedSec; }
export function parsed_nsec(): i32 { return parsedNsec; }
export function parsed_len(): i32 { return parsedLen; }

/** NUL-terminated RFC 3339 UTC text of (sec, nsec). */
export function format_time(sec: i64, nsec: i32): usize {
  outReset(beginCall(), 64);
  putRfc3339Utc(sec, nsec);
  putByte(0);
  return outStart;
}

export function parse_cri(p: usize, len: i32): i32 {
  return parseCriHeader(p, p + <usize>len);
}
export function cri_stream(): i32 { return criStream; }
export function cri_tag(): i32 { return criTag; }
export function cri_message(): usize { return criMessage; }

/** The mended copy of one JSON value, NUL-terminated; json_error() says whether it was broken. */
export function mend_json(p: usize, len: i32): usize {
  setJsonError(false);
  outReset(beginCall(), <usize>len * 3 + 16);
  copyValue(p, p + <usize>len);
  putByte(0);
  return outStart;
}
export function json_error(): i32 { return jsonError ? 1 : 0; }

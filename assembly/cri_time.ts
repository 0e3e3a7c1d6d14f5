// Entry points of build/cri_time.wasm. Fluent Bit gives a wasm filter no parameters besides
// `function_name`, so each combination of outputs is its own exported function.
// All take (tag, tag_len, time_sec, time_nsec, record, record_len) and return a NUL-terminated
// JSON object (event_format json).
import { Mode, filterCri } from "./filters/cri-filter";
export { malloc, free } from "./abi/exports";
import "./abi/abort"; // the custom abort named in asconfig.json

/** `@timestamp` for the es/opensearch outputs, raw lines split, glued lines mended, diagnostics. */
export function cri_timestamp(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return filterCri(tag, tagLen, sec, nsec, rec, recLen, Mode.Timestamp | Mode.Rewrite | Mode.Check);
}

/** A key for a following parser filter to make the event time (any output). */
export function cri_event_time(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return filterCri(tag, tagLen, sec, nsec, rec, recLen, Mode.EventTime | Mode.Rewrite | Mode.Check);
}

/** Both keys: Elasticsearch gets `@timestamp`, other outputs the event time via the parser filter. */
export function cri_timestamp_and_event_time(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return filterCri(tag, tagLen, sec, nsec, rec, recLen, Mode.Timestamp | Mode.EventTime | Mode.Rewrite | Mode.Check);
}

/** Diagnostics only: the record is otherwise returned as it came (mended into valid JSON). */
export function cri_check(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return filterCri(tag, tagLen, sec, nsec, rec, recLen, Mode.Check);
}

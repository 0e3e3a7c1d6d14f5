// Entry points of build/cri_time.wasm. Fluent Bit gives a wasm filter no parameters besides
// `function_name`, so each combination of outputs is its own exported function.
// All take (tag, tag_len, time_sec, time_nsec, record, record_len) and return a NUL-terminated
// JSON object (event_format json).
import { criFilter } from "./filters/cri-filter";
import { Mode, planFor } from "./filters/cri-plan";
import { runPass } from "./sdk/pass";
export { malloc, free } from "./abi/exports";
import "./abi/abort"; // the custom abort named in asconfig.json

/** `@timestamp` for the es/opensearch outputs, raw lines split, glued lines mended, diagnostics. */
export function cri_timestamp(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return runPass(criFilter, planFor(Mode.Timestamp | Mode.Rewrite | Mode.Check), tag, tagLen, sec, nsec, rec, recLen);
}

/** A key for a following parser filter to make the event time (any output). */
export function cri_event_time(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return runPass(criFilter, planFor(Mode.EventTime | Mode.Rewrite | Mode.Check), tag, tagLen, sec, nsec, rec, recLen);
}

/** Both keys: Elasticsearch gets `@timestamp`, other outputs the event time via the parser filter. */
export function cri_timestamp_and_event_time(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return runPass(criFilter, planFor(Mode.Timestamp | Mode.EventTime | Mode.Rewrite | Mode.Check), tag, tagLen, sec, nsec, rec, recLen);
}

/** Diagnostics only: the record is otherwise returned as it came (mended into valid JSON). */
export function cri_check(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return runPass(criFilter, planFor(Mode.Check), tag, tagLen, sec, nsec, rec, recLen);
}

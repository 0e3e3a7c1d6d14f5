// A filter of your own on the SDK (assembly/sdk/): adds the record's tag as "fluent_tag". Build it with
//   npx asc examples/custom-filter/add_tag.ts --config asconfig.json --target release -o build/add_tag.wasm
// and test it in the harness (tests/custom-filter.test.ts shows how), or start one with `fbwasm new NAME`.
import { Record, Verdict, run } from "../../assembly/sdk";
export { malloc, free } from "../../assembly/sdk";

function addTag(r: Record): Verdict {
  r.setTag("fluent_tag");
  return Verdict.Keep; // the record is copied with the edit, mended into JSON Fluent Bit accepts
}

export function add_tag(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(addTag, tag, tagLen, sec, nsec, record, recordLen);
}

// build/lift.wasm: a JSON payload inside `log` (behind a CRI header or not) lifted into the
// record, as the kubernetes filter's Merge_Log does, without the kubernetes filter; a `log` that
// is no JSON object is kept as it is (README, "lift"). On the SDK.
import { Record, Text, Verdict, run, setting } from "./sdk";
import { LIFT_BLOCK, LIFT_BLOCK_SIZE } from "./lift/block";
export { malloc, free } from "./sdk";

// @ts-ignore: decorator
@lazy let loaded = false;
// @ts-ignore: decorator
@lazy let keepKey = true;
// @ts-ignore: decorator
@lazy let afterCri = true;

const KEY = changetype<Text>(memory.data(<i32>offsetof<Text>(), 8));
const UNDER = changetype<Text>(memory.data(<i32>offsetof<Text>(), 8));

function isTrue(t: Text): bool { return t.is("true") || t.is("on") || t.is("1") || t.is("yes"); }

function load_(): void {
  if (loaded) return;
  loaded = true;
  const key = setting(LIFT_BLOCK, LIFT_BLOCK_SIZE, "key");
  KEY.start = key.start; KEY.end = key.end;
  const under = setting(LIFT_BLOCK, LIFT_BLOCK_SIZE, "under");
  UNDER.start = under.start; UNDER.end = under.end;
  keepKey = isTrue(setting(LIFT_BLOCK, LIFT_BLOCK_SIZE, "keep_key"));
  afterCri = isTrue(setting(LIFT_BLOCK, LIFT_BLOCK_SIZE, "cri"));
}

function lift(r: Record): Verdict {
  load_();
  r.liftJson(r.body.getText(KEY), UNDER, keepKey, afterCri);
  return Verdict.Keep;
}

/** Lifts the members of the JSON object `log` holds into the record; keeps every record. */
export function lift_json(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(lift, tag, tagLen, sec, nsec, record, recordLen);
}

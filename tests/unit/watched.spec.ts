// sdk/watched.ts: which slot a top-level key is, as the one-pass runner looks it up (by length,
// then one u64 compare for keys of up to 8 bytes, byte for byte for longer ones).
import { NO_SLOT, WATCHED_MAX, watch, watchBytes, watchedSlot } from "../../assembly/sdk/watched";
import { text, textLen } from "./helpers";

const LONG = "k".repeat(70);
const LOG = watch("log");
const TIME = watch("time");
const TEN = watch("kubernetes"); // more than 8 bytes: compared byte for byte
const SAME_AS_LOG = watch("log");
const LONG_SLOT = watch(LONG);
const EMPTY = watchBytes(0, 0);
const EIGHT = watch("abcdefgh");
const ALL: u32 = 0xffffffff;

/** The slot of key `k` as it stands in a record: `"k":1}`, read from just after the quote. */
function slotOf(k: string, among: u32 = ALL): i32 {
  const p = text("\"" + k + "\":1}");
  return watchedSlot(p + 1, <i32>textLen(k), among);
}

describe("watchedSlot", () => {
  it("numbers slots in the order keys are watched", () => {
    expect(LOG).toBe(0); expect(TIME).toBe(1); expect(TEN).toBe(2); expect(SAME_AS_LOG).toBe(3);
    expect(LONG_SLOT).toBe(4); expect(EMPTY).toBe(5); expect(EIGHT).toBe(6);
  });
  it("finds each key, short and long, and no other", () => {
    expect(slotOf("log")).toBe(LOG);
    expect(slotOf("time")).toBe(TIME);
    expect(slotOf("kubernetes")).toBe(TEN);
    expect(slotOf("abcdefgh")).toBe(EIGHT);
    expect(slotOf(LONG)).toBe(LONG_SLOT);
    expect(slotOf("lag")).toBe(-1);
    expect(slotOf("tim")).toBe(-1);
    expect(slotOf("times")).toBe(-1);
    expect(slotOf("abcdefgX")).toBe(-1);
    expect(slotOf("kubernetex")).toBe(-1);
    expect(slotOf(LONG + "k")).toBe(-1);
    expect(slotOf("k".repeat(69) + "j")).toBe(-1);
    expect(slotOf("")).toBe(-1); // an empty key matches no slot, the empty one included
  });
  it("looks only among the slots asked for: a key watched twice is the first slot asked for", () => {
    expect(slotOf("log", ALL)).toBe(LOG);
    expect(slotOf("log", 1 << SAME_AS_LOG)).toBe(SAME_AS_LOG);
    expect(slotOf("log", 1 << TIME)).toBe(-1);
    expect(slotOf(LONG, 1 << LOG)).toBe(-1);
  });
  it("past WATCHED_MAX keys, watch() gives the slot no member has", () => {
    let last = 0;
    for (let i = 0; i < WATCHED_MAX + 3; i++) { const k = "extra" + i.toString(); last = watchBytes(text(k), <i32>textLen(k)); }
    expect(last).toBe(NO_SLOT);
    expect(slotOf("extra" + (WATCHED_MAX + 2).toString())).toBe(-1);
    expect(slotOf("extra0")).toBe(7); // the first ones still work
  });
  it("a key of a length out of range (a string that does not end) is none", () => {
    const p = text("\"");
    expect(watchedSlot(p + 1, -1, ALL)).toBe(-1);
  });
});

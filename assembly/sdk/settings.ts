// A module's settings: the block `fbwasm configure` rewrites in a copy of the module (a magic
// line, then `key=value` lines, padded with spaces; harness/settings-block.ts makes it). Values are
// read where they are, as Text: nothing is copied.
import { Text } from "./text";

const TEXTS_KEPT: i32 = 256;
const TEXT_SIZE = offsetof<Text>();
const TEXTS: usize = memory.data(<i32>TEXT_SIZE * TEXTS_KEPT, 8);
const NONE = changetype<Text>(memory.data(<i32>TEXT_SIZE, 8));
const KEY = changetype<Text>(memory.data(<i32>TEXT_SIZE, 8));
// @ts-ignore: decorator
@lazy let textsUsed: i32 = 0;

/**
 * A Text that lives as long as the instance (settings are read once): an empty one once
 * TEXTS_KEPT are taken.
 */
export function keptText(start: usize, end: usize): Text {
  if (textsUsed >= TEXTS_KEPT) { NONE.start = 0; NONE.end = 0; return NONE; }
  const t = changetype<Text>(TEXTS + <usize>textsUsed * TEXT_SIZE);
  textsUsed++;
  t.start = start;
  t.end = end;
  return t;
}

/** The value of setting `name` in the block; an empty Text when the block does not hold it. */
export function setting(block: usize, size: i32, name: string): Text {
  const end = block + <usize>size;
  let p = block;
  while (p < end && load<u8>(p) != 0x0a) p++; // the magic line
  p++;
  while (p < end) {
    const line = p;
    let eq: usize = 0;
    while (p < end && load<u8>(p) != 0x0a) { if (eq == 0 && load<u8>(p) == 0x3d) eq = p; p++; }
    if (p >= end) break; // the padding after the last line
    if (eq > line) {
      KEY.start = line; KEY.end = eq;
      if (KEY.is(name)) return keptText(eq + 1, p);
    }
    p++;
  }
  return keptText(0, 0);
}

// The keys a one-pass filter (pass.ts) watches: while the runner copies the record, a top-level
// member under one of them is noted (where its key and value are) and, when the filter asks,
// held out of the copy for the filter to write itself.
//
// A key is found by its length first: one bit per length says whether a watched key has it, so
// most members of a record cost one test; then a table gives the slots of that length, and a
// key of up to 8 bytes is compared as one u64, a longer one byte for byte.
import { Span } from "../core/span";
import { literalBytes, literalUtf8 } from "./text";
import { Value } from "./value";

/** Bytes [0, n) of a u64 loaded little-endian, n <= 8. */
// @ts-ignore: decorator
@inline function lowBytes(n: i32): u64 {
  return n >= 8 ? u64.MAX_VALUE : ((<u64>1) << (<u64>n << 3)) - 1;
}

/** The most keys one module watches; past that, watch() gives NO_SLOT. */
export const WATCHED_MAX: i32 = 31;
/** A slot no member ever has (the bits of a u32 give 32 slots: the last is this one). */
export const NO_SLOT: i32 = 31;

/** Keys this long or longer share one list of slots (they are rare). */
const LONG_KEY: i32 = 64;

@unmanaged class WatchedKey {
  start: usize = 0;
  length: i32 = 0;
  /** The first 8 bytes, zero-padded. */
  word: u64 = 0;
}

/**
 * Where the member under a watched key was found in this call: its value, as a view (start, end
 * and, for a string, where its first backslash is), and its key.
 */
@unmanaged export class WatchedMember extends Value {
  /** The key's opening quote. */
  keyStart: usize = 0;
}

const KEY_SIZE = offsetof<WatchedKey>();
const KEYS: usize = memory.data(<i32>KEY_SIZE * (WATCHED_MAX + 1), 8);
const SLOTS_BY_LENGTH: usize = memory.data(LONG_KEY * 4, 4);
const KEY_TEXT_MAX: i32 = 1024;
const KEY_TEXT: usize = memory.data(KEY_TEXT_MAX);
const MEMBER_SIZE = offsetof<WatchedMember>();
const MEMBERS: usize = memory.data(<i32>MEMBER_SIZE * (WATCHED_MAX + 1), 8);

// @ts-ignore: decorator
@lazy let slots: i32 = 0;
// @ts-ignore: decorator
@lazy let longKeys: u32 = 0;
/** Bit n set when some watched key is n bytes long (n < LONG_KEY): most keys are told apart by this alone. */
// @ts-ignore: decorator
@lazy let watchedLengths: u64 = 0;
// @ts-ignore: decorator
@lazy let keyTextUsed: i32 = 0;

function keyAt(slot: i32): WatchedKey {
  return changetype<WatchedKey>(KEYS + <usize>slot * KEY_SIZE);
}

/** The member noted for `slot` in this call (valid when the record's `seen` has its bit). */
// @ts-ignore: decorator
@inline export function watchedMember(slot: i32): WatchedMember {
  return changetype<WatchedMember>(MEMBERS + <usize>slot * MEMBER_SIZE);
}

/**
 * Watches the key whose escaped text (as it stands between the quotes in the record) is the
 * `length` bytes at `start`, which must stay where they are; returns its slot, or NO_SLOT when
 * WATCHED_MAX are taken. An empty key takes a slot that never matches (a setting left empty).
 * Slots are numbered in the order they are watched: where two keys are the same, the first wins.
 */
export function watchBytes(start: usize, length: i32): i32 {
  if (slots >= WATCHED_MAX) return NO_SLOT;
  const slot = slots++;
  const k = keyAt(slot);
  k.start = start; k.length = length;
  let w: u64 = 0;
  for (let i = length < 8 ? length : 8; i > 0; i--) w = (w << 8) | <u64>load<u8>(start + <usize>(i - 1));
  k.word = w;
  if (length == 0) return slot;
  if (length >= LONG_KEY) { longKeys |= 1 << slot; return slot; }
  watchedLengths |= (<u64>1) << <u64>length;
  store<u32>(SLOTS_BY_LENGTH + (<usize>length << 2), load<u32>(SLOTS_BY_LENGTH + (<usize>length << 2)) | (1 << slot));
  return slot;
}

/**
 * Watches the key `name` (a literal; matched as Fluent Bit writes it: a name with a quote, a
 * backslash, a control or a non-ASCII character is matched only where the record has it
 * unescaped); NO_SLOT when WATCHED_MAX are taken or the name is too long to keep.
 */
export function watch(name: string): i32 {
  const k = keySpan(name);
  return k.len > 0 || name.length == 0 ? watchBytes(k.ptr, k.len) : NO_SLOT;
}

const SPAN_SIZE = offsetof<Span>();
const SPANS_MAX: i32 = 64;
const SPANS: usize = memory.data(<i32>SPAN_SIZE * SPANS_MAX, 8);
// @ts-ignore: decorator
@lazy let spansUsed: i32 = 0;

/** The UTF-8 of a key literal, kept for the instance's life (empty when the room is used up). */
export function keySpan(name: string): Span {
  const s = changetype<Span>(SPANS + <usize>(spansUsed < SPANS_MAX - 1 ? spansUsed++ : SPANS_MAX - 1) * SPAN_SIZE);
  s.ptr = KEY_TEXT; s.len = 0;
  const n = literalUtf8(name);
  if (n < 0 || keyTextUsed + n > KEY_TEXT_MAX) return s;
  const at = KEY_TEXT + <usize>keyTextUsed;
  memory.copy(at, literalBytes(), <usize>n);
  keyTextUsed += n;
  s.ptr = at; s.len = n;
  return s;
}

/**
 * The first slot among `among` whose key is the `length` bytes at p, or -1. `p` may be read 8
 * bytes on: it must lie inside a record (a key is followed by at least `":` a value and `}`).
 */
// @ts-ignore: decorator
@inline export function watchedSlot(p: usize, length: i32, among: u32): i32 {
  // The shift counts modulo 64: the length test is needed only when the bit says "none".
  if (((watchedLengths >> <u64>length) & 1) == 0 && <u32>length < <u32>LONG_KEY) return -1;
  if (<u32>length - 1 >= 8) return longSlot(p, length, among); // longer than 8 bytes, or none

  // Keys of one length up to 8 bytes: one u64 compare each.
  let m = among & load<u32>(SLOTS_BY_LENGTH + (<usize>length << 2));
  const word = load<u64>(p) & lowBytes(length);
  while (m != 0) {
    const slot = <i32>ctz(m);
    if (word == keyAt(slot).word) return slot;
    m &= m - 1;
  }
  return -1;
}

/** watchedSlot() for keys longer than 8 bytes (and for the lengths no key has: none found). */
function longSlot(p: usize, length: i32, among: u32): i32 {
  if (length <= 0) return -1;
  let m = among & (length >= LONG_KEY ? longKeys : load<u32>(SLOTS_BY_LENGTH + (<usize>length << 2)));
  while (m != 0) {
    const slot = <i32>ctz(m);
    const k = keyAt(slot);
    if (k.length == length && memory.compare(p, k.start, <usize>length) == 0) return slot;
    m &= m - 1;
  }
  return -1;
}

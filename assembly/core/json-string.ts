// One JSON string value decoded on demand: the inside of a string (between its quotes, as
// Fluent Bit wrote it) written out as the UTF-8 bytes it stands for. Filters mostly work on the
// escaped text in place (a line break is the two bytes `\n`); this is for the value a filter
// must see as text, e.g. to hand it to a parser or to write it into msgpack.
import { putBytes, putByte, reserve, outPos, setOutPos } from "../abi/writer";
import { findBackslash } from "./scan";

export const enum UnescapeStatus {
  Ok = 0,
  /** An escape JSON does not have (`\x41`, a short `\u12`): its bytes were kept as they are. */
  BadEscape = 1,
  /** A `\uD800`-`\uDFFF` without its other half: written as U+FFFD, as yyjson does. */
  LoneSurrogate = 2,
}

// @ts-ignore: decorator
@inline function hexValue(c: u32): i32 {
  if (c - 0x30 <= 9) return <i32>(c - 0x30);
  const l = (c | 0x20) - 0x61;
  return l <= 5 ? <i32>(l + 10) : -1;
}

/** The four hex digits at p as a code unit, or -1. */
export function hex4(p: usize): i32 {
  const a = hexValue(load<u8>(p)), b = hexValue(load<u8>(p + 1)), c = hexValue(load<u8>(p + 2)), d = hexValue(load<u8>(p + 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/** Writes code point cp as UTF-8 at `at` (room for 4 bytes there); returns where it ended. */
export function utf8At(at: usize, cp: u32): usize {
  if (cp < 0x80) { store<u8>(at, <u8>cp); return at + 1; }
  if (cp < 0x800) { store<u8>(at, <u8>(0xc0 | (cp >> 6))); store<u8>(at + 1, <u8>(0x80 | (cp & 0x3f))); return at + 2; }
  if (cp < 0x10000) {
    store<u8>(at, <u8>(0xe0 | (cp >> 12))); store<u8>(at + 1, <u8>(0x80 | ((cp >> 6) & 0x3f))); store<u8>(at + 2, <u8>(0x80 | (cp & 0x3f)));
    return at + 3;
  }
  store<u8>(at, <u8>(0xf0 | (cp >> 18))); store<u8>(at + 1, <u8>(0x80 | ((cp >> 12) & 0x3f)));
  store<u8>(at + 2, <u8>(0x80 | ((cp >> 6) & 0x3f))); store<u8>(at + 3, <u8>(0x80 | (cp & 0x3f)));
  return at + 4;
}

function putUtf8(cp: u32): void {
  if (!reserve(4)) return;
  let at = outPos;
  if (cp < 0x80) store<u8>(at++, <u8>cp);
  else if (cp < 0x800) {
    store<u8>(at++, <u8>(0xc0 | (cp >> 6)));
    store<u8>(at++, <u8>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    store<u8>(at++, <u8>(0xe0 | (cp >> 12)));
    store<u8>(at++, <u8>(0x80 | ((cp >> 6) & 0x3f)));
    store<u8>(at++, <u8>(0x80 | (cp & 0x3f)));
  } else {
    store<u8>(at++, <u8>(0xf0 | (cp >> 18)));
    store<u8>(at++, <u8>(0x80 | ((cp >> 12) & 0x3f)));
    store<u8>(at++, <u8>(0x80 | ((cp >> 6) & 0x3f)));
    store<u8>(at++, <u8>(0x80 | (cp & 0x3f)));
  }
  setOutPos(at);
}

/** The byte a two-character escape stands for, or -1. */
function simpleEscape(e: u32): i32 {
  switch (e) {
    case 0x22: return 0x22;
    case 0x5c: return 0x5c;
    case 0x2f: return 0x2f;
    case 0x62: return 0x08;
    case 0x66: return 0x0c;
    case 0x6e: return 0x0a;
    case 0x72: return 0x0d;
    case 0x74: return 0x09;
  }
  return -1;
}

/**
 * Writes the decoded bytes of the escaped string inside [p, end) to the output buffer. Text
 * between escapes is copied in one piece. Returns Ok, or the last kind of mending it did; no byte
 * is lost.
 */
export function jsonUnescape(p: usize, end: usize): UnescapeStatus {
  let status = UnescapeStatus.Ok;
  for (;;) {
    const bs = findBackslash(p, end);
    putBytes(p, bs - p);
    if (bs >= end) return status;
    const e: u32 = bs + 1 < end ? <u32>load<u8>(bs + 1) : 0;
    const simple = simpleEscape(e);
    if (simple >= 0) { putByte(<u8>simple); p = bs + 2; continue; }
    const unit = e == 0x75 && bs + 6 <= end ? hex4(bs + 2) : -1;
    if (unit < 0) {
      // Not a JSON escape: keep the backslash and go on after it.
      putByte(0x5c);
      p = bs + 1;
      if (status == UnescapeStatus.Ok) status = UnescapeStatus.BadEscape;
      continue;
    }
    p = bs + 6;
    if (unit >= 0xd800 && unit <= 0xdbff && p + 6 <= end && load<u8>(p) == 0x5c && load<u8>(p + 1) == 0x75) {
      const low = hex4(p + 2);
      if (low >= 0xdc00 && low <= 0xdfff) {
        putUtf8(0x10000 + ((<u32>(unit - 0xd800)) << 10) + <u32>(low - 0xdc00));
        p += 6;
        continue;
      }
    }
    if (unit >= 0xd800 && unit <= 0xdfff) {
      putUtf8(0xfffd);
      status = UnescapeStatus.LoneSurrogate;
      continue;
    }
    putUtf8(<u32>unit);
  }
  return status;
}

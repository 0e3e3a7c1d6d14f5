// Reads the `log` value (its JSON-escaped text, between the quotes) line by line: the CRI header
// of the first line, and the CRI headers glued at the start of later lines by a multiline parser
// that joined raw CRI lines. A line break in the escaped text is the two bytes `\n`.
import { CriStatus, Stream, Tag, criMessage, criStream, criTag, mayStartHeader, parseCriHeader } from "../core/cri";
import { parsedNsec, parsedSec } from "../core/time";

// Results, reset by scanLog().
// @ts-ignore: decorator
@lazy export let firstIsCri: bool = false;
// @ts-ignore: decorator
@lazy export let firstSec: i64 = 0;
// @ts-ignore: decorator
@lazy export let firstNsec: i32 = 0;
// @ts-ignore: decorator
@lazy export let firstStream: Stream = Stream.None;
// @ts-ignore: decorator
@lazy export let firstTag: Tag = Tag.None;
/** Where the first line's message starts (after its header when it has one). */
// @ts-ignore: decorator
@lazy export let firstMessage: usize = 0;
// @ts-ignore: decorator
@lazy export let lines: i32 = 0;
// @ts-ignore: decorator
@lazy export let gluedHeaders: i32 = 0;
// @ts-ignore: decorator
@lazy export let sawStdout: bool = false;
// @ts-ignore: decorator
@lazy export let sawStderr: bool = false;
// @ts-ignore: decorator
@lazy export let lastTag: Tag = Tag.None;
/** Earliest and latest header times seen, in ms (for the span). */
// @ts-ignore: decorator
@lazy export let minMs: i64 = 0;
// @ts-ignore: decorator
@lazy export let maxMs: i64 = 0;
/** Decoded byte length of the message text. */
// @ts-ignore: decorator
@lazy export let messageBytes: i32 = 0;

function noteHeader(): void {
  if (criStream == Stream.Stdout) sawStdout = true; else sawStderr = true;
  lastTag = criTag;
  const ms = parsedSec * 1000 + <i64>(parsedNsec / 1000000);
  if (ms < minMs) minMs = ms;
  if (ms > maxMs) maxMs = ms;
}

/** Address just after the line break that ends the line starting at p, or `end`. */
export function nextLine(p: usize, end: usize): usize {
  while (p < end) {
    if (load<u8>(p) == 0x5c) {
      if (p + 1 < end && load<u8>(p + 1) == 0x6e) return p + 2;
      p += 2;
    } else p++;
  }
  return end;
}

/** Bytes of the decoded text that [p, end) of escaped JSON holds. */
function decodedLength(p: usize, end: usize): i32 {
  let n = 0;
  while (p < end) {
    if (load<u8>(p) != 0x5c) { p++; n++; continue; }
    if (p + 1 < end && load<u8>(p + 1) == 0x75 && p + 6 <= end) {
      // \uXXXX: 1-3 bytes of UTF-8 (a surrogate half counts 2, a pair 4)
      let v: u32 = 0;
      for (let k: usize = 2; k < 6; k++) {
        const c = <u32>load<u8>(p + k);
        v = (v << 4) | (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
      }
      n += v < 0x80 ? 1 : v < 0x800 ? 2 : v >= 0xd800 && v <= 0xdfff ? 2 : 3;
      p += 6;
    } else { p += 2; n++; }
  }
  return n;
}

/** Scans the escaped log text [p, end). */
export function scanLog(p: usize, end: usize): void {
  firstIsCri = false;
  firstStream = Stream.None;
  firstTag = Tag.None;
  lines = 0;
  gluedHeaders = 0;
  sawStdout = false;
  sawStderr = false;
  lastTag = Tag.None;
  minMs = i64.MAX_VALUE;
  maxMs = i64.MIN_VALUE;
  firstMessage = p;
  messageBytes = decodedLength(p, end);
  if (parseCriHeader(p, nextLineEnd(p, end)) == CriStatus.Ok) {
    firstIsCri = true;
    firstSec = parsedSec;
    firstNsec = parsedNsec;
    firstStream = criStream;
    firstTag = criTag;
    firstMessage = criMessage;
    noteHeader();
  }
  let line = p;
  while (line < end) {
    lines++;
    const next = nextLine(line, end);
    if (line != p && mayStartHeader(line, end) && parseCriHeader(line, lineEnd(line, next, end)) == CriStatus.Ok) {
      gluedHeaders++;
      noteHeader();
    }
    line = next;
  }
  if (lines == 0) lines = 1;
}

/** End of the line's text: before its `\n`, or `end`. */
function lineEnd(line: usize, next: usize, end: usize): usize {
  return next == end && !(next - line >= 2 && load<u8>(next - 2) == 0x5c && load<u8>(next - 1) == 0x6e) ? end : next - 2;
}

function nextLineEnd(p: usize, end: usize): usize {
  return lineEnd(p, nextLine(p, end), end);
}

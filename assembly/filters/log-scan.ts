// Reads the `log` value (its JSON-escaped text, between the quotes) line by line: the time and
// CRI header of the first line, the CRI headers glued at the start of later lines by a multiline
// parser that joined raw CRI lines, and what each line's text looks like (a new message or the
// continuation of one). A line break in the escaped text is the two bytes `\n`.
import { CriStatus, Stream, Tag, criMessage, criMoreTagsEnd, criMoreTagsStart, criStream, criTag, criTagEnd, criTagStart, mayStartHeader, parseCriAfterTime, parseCriHeader } from "../core/cri";
import { TimeStatus, parseRfc3339, parsedLen, parsedNsec, parsedSec } from "../core/time";
import { LineKind, lineKind } from "./continuation";
import { lineTextEnd, nextLine } from "../core/lines";

// Results, reset by scanLog().
/** The first line starts with a valid RFC 3339 time (followed by a separator or the end). */
// @ts-ignore: decorator
@lazy export let firstHasTime: bool = false;
/** Why the first line's leading time is not valid (when it looks like one). */
// @ts-ignore: decorator
@lazy export let firstTimeStatus: TimeStatus = TimeStatus.Empty;
// @ts-ignore: decorator
@lazy let firstTimeLen: i32 = 0;
// @ts-ignore: decorator
@lazy export let firstSec: i64 = 0;
// @ts-ignore: decorator
@lazy export let firstNsec: i32 = 0;
/** The first line is a whole CRI line (time, stream, tag). */
// @ts-ignore: decorator
@lazy export let firstIsCri: bool = false;
// @ts-ignore: decorator
@lazy export let firstCriStatus: CriStatus = CriStatus.Ok;
// @ts-ignore: decorator
@lazy export let firstStream: Stream = Stream.None;
// @ts-ignore: decorator
@lazy export let firstTag: Tag = Tag.None;
// @ts-ignore: decorator
@lazy export let firstTagStart: usize = 0;
// @ts-ignore: decorator
@lazy export let firstTagEnd: usize = 0;
/** The first line's tags after its `P`/`F` (`TAG1:TAG2` of `P:TAG1:TAG2`); 0 when none. */
// @ts-ignore: decorator
@lazy export let firstMoreTagsStart: usize = 0;
// @ts-ignore: decorator
@lazy export let firstMoreTagsEnd: usize = 0;
/** Where the first line's message starts (after its header when it has one). */
// @ts-ignore: decorator
@lazy export let firstMessage: usize = 0;
// @ts-ignore: decorator
@lazy export let lines: i32 = 0;
/** Raw CRI lines in the text: the first line's header plus the glued ones. */
// @ts-ignore: decorator
@lazy export let criLines: i32 = 0;
/** Lines that start a new message. */
// @ts-ignore: decorator
@lazy export let messageStarts: i32 = 0;
/** Kind of the first line's message text. */
// @ts-ignore: decorator
@lazy export let firstKind: LineKind = LineKind.Empty;
// @ts-ignore: decorator
@lazy export let sawStdout: bool = false;
// @ts-ignore: decorator
@lazy export let sawStderr: bool = false;
/** Tag of the last raw CRI line (a `P` there means the message never got its `F`). */
// @ts-ignore: decorator
@lazy export let lastTag: Tag = Tag.None;
/** Earliest and latest raw CRI times, in ms (for the span). */
// @ts-ignore: decorator
@lazy export let minMs: i64 = 0;
// @ts-ignore: decorator
@lazy export let maxMs: i64 = 0;
/** The text ends with a line break (docker keeps it on complete lines). */
// @ts-ignore: decorator
@lazy export let endsWithNewline: bool = false;

// Where the glued CRI lines start and where their messages start, for the first GLUED_MAX of
// them: the rewrite of `log` then takes them from here instead of parsing each header again.
const GLUED_MAX: i32 = 64;
const GLUED: usize = memory.data(GLUED_MAX * 8);
// @ts-ignore: decorator
@lazy let gluedKept: i32 = 0;

function noteGlued(line: usize, message: usize): void {
  if (gluedKept >= GLUED_MAX) return;
  const at = GLUED + (<usize>gluedKept << 3);
  store<u32>(at, <u32>line);
  store<u32>(at, <u32>message, 4);
  gluedKept++;
}

/**
 * The message start of the glued line at `line`, the k-th glued line (lines are asked in order),
 * or 0 when the table does not say: `line` is not glued, or lies past the GLUED_MAX kept.
 */
export function gluedMessage(k: i32, line: usize): usize {
  if (k >= gluedKept) return 0;
  const at = GLUED + (<usize>k << 3);
  return <usize>load<u32>(at) == line ? <usize>load<u32>(at, 4) : 0;
}

/** Whether glued lines exist past the table (they must be parsed again). */
export function gluedOverflow(): bool {
  return criLines - (firstIsCri ? 1 : 0) > gluedKept;
}

function noteHeader(): void {
  criLines++;
  if (criStream == Stream.Stdout) sawStdout = true; else sawStderr = true;
  lastTag = criTag;
  const ms = parsedSec * 1000 + <i64>(parsedNsec / 1000000);
  if (ms < minMs) minMs = ms;
  if (ms > maxMs) maxMs = ms;
}

/** A time at the very start of the text, ended by a space, a tab or the end of the line. */
function leadingTime(p: usize, lineEnd: usize): void {
  if (!mayStartHeader(p, lineEnd)) return;
  firstTimeStatus = parseRfc3339(p, <i32>(lineEnd - p));
  if (firstTimeStatus != TimeStatus.Ok) return;
  const after = p + <usize>parsedLen;
  const sep = after == lineEnd || load<u8>(after) == 0x20 || (load<u8>(after) == 0x5c && after + 1 < lineEnd && load<u8>(after + 1) == 0x74);
  if (!sep) { firstTimeStatus = TimeStatus.BadSyntax; return; }
  firstHasTime = true;
  firstTimeLen = parsedLen;
  firstSec = parsedSec;
  firstNsec = parsedNsec;
}

/** Scans the escaped log text [p, end); it holds no backslash (so no line break) before `clean`. */
export function scanLog(p: usize, end: usize, clean: usize): void {
  firstHasTime = false;
  firstTimeStatus = TimeStatus.Empty;
  firstIsCri = false;
  firstCriStatus = CriStatus.BadTime;
  firstStream = Stream.None;
  firstTag = Tag.None;
  firstMoreTagsStart = 0;
  lines = 0;
  criLines = 0;
  messageStarts = 0;
  sawStdout = false;
  sawStderr = false;
  lastTag = Tag.None;
  gluedKept = 0;
  minMs = i64.MAX_VALUE;
  maxMs = i64.MIN_VALUE;
  firstMessage = p;
  endsWithNewline = end - p >= 2 && load<u8>(end - 2) == 0x5c && load<u8>(end - 1) == 0x6e;

  let line = p;
  while (line < end || lines == 0) {
    lines++;
    const next = nextLine(line > clean ? line : clean < end ? clean : end, end);
    const textEnd = lineTextEnd(line, next);
    let text = line;
    if (line == p) {
      leadingTime(p, textEnd);
      if (firstHasTime) {
        firstCriStatus = parseCriAfterTime(p + <usize>firstTimeLen, textEnd); // the time is parsed already
        if (firstCriStatus == CriStatus.Ok) {
          firstIsCri = true;
          firstStream = criStream;
          firstTag = criTag;
          firstTagStart = criTagStart;
          firstTagEnd = criTagEnd;
          firstMoreTagsStart = criMoreTagsStart;
          firstMoreTagsEnd = criMoreTagsEnd;
          firstMessage = criMessage;
          text = criMessage;
          noteHeader();
        }
      }
      firstKind = lineKind(text, textEnd);
      if (firstKind != LineKind.Empty) messageStarts++;
    } else {
      if (mayStartHeader(line, textEnd) && parseCriHeader(line, textEnd) == CriStatus.Ok) {
        text = criMessage;
        noteHeader();
        noteGlued(line, text);
      }
      if (lineKind(text, textEnd) == LineKind.Start) messageStarts++;
    }
    if (next >= end) break;
    line = next;
  }
}

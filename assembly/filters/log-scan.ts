// Reads the `log` value (its JSON-escaped text, between the quotes) line by line: the time and
// CRI header of the first line, the CRI headers glued at the start of later lines by a multiline
// parser that joined raw CRI lines, and what each line's text looks like (a new message or the
// continuation of one). A line break in the escaped text is the two bytes `\n`.
import { CriHeader, CriStatus, Stream, Tag, mayStartHeader, parseCriAfterTime, parseCriHeader } from "../core/cri";
import { TimeStatus, parseRfc3339 } from "../core/time";
import { LineKind, lineKind } from "./continuation";
import { lineTextEnd, nextLine } from "../core/lines";

/**
 * What scanLog() found in one `log` text, in a struct the caller owns. The CriHeader fields are
 * the first line's: its time when `hasTime`, its stream, tags and message when `isCri`.
 */
@unmanaged export class LogScan extends CriHeader {
  /** The first line starts with a valid RFC 3339 time (followed by a separator or the end). */
  hasTime: bool = false;
  /** Why the first line's leading time is not valid (when it looks like one). */
  timeStatus: TimeStatus = TimeStatus.Empty;
  /** The first line is a whole CRI line (time, stream, tag). */
  isCri: bool = false;
  /** Why the first line is not one, once its time parsed. */
  criStatus: CriStatus = CriStatus.Ok;
  /** Kind of the first line's message text. */
  kind: LineKind = LineKind.Empty;
  lines: i32 = 0;
  /** Raw CRI lines in the text: the first line's header plus the glued ones. */
  criLines: i32 = 0;
  /** Lines that start a new message. */
  messageStarts: i32 = 0;
  sawStdout: bool = false;
  sawStderr: bool = false;
  /** Tag of the last raw CRI line (a `P` there means the message never got its `F`). */
  lastTag: Tag = Tag.None;
  /** Earliest and latest raw CRI times, in ms (for the span). */
  minMs: i64 = 0;
  maxMs: i64 = 0;
  /** The text ends with a line break (docker keeps it on complete lines). */
  endsWithNewline: bool = false;
  /** Glued lines noted in the table below (the first GLUED_MAX). */
  gluedKept: i32 = 0;

  /** Whether glued lines exist past the table (they must be parsed again). */
  gluedOverflow(): bool {
    return this.criLines - (this.isCri ? 1 : 0) > this.gluedKept;
  }
}

// Where the glued CRI lines start and where their messages start, for the first GLUED_MAX of
// them: the rewrite of `log` then takes them from here instead of parsing each header again.
// One table for the call's one scan (scanLog() starts it afresh).
const GLUED_MAX: i32 = 64;
const GLUED: usize = memory.data(GLUED_MAX * 8);

function noteGlued(s: LogScan, line: usize, message: usize): void {
  if (s.gluedKept >= GLUED_MAX) return;
  const at = GLUED + (<usize>s.gluedKept << 3);
  store<u32>(at, <u32>line);
  store<u32>(at, <u32>message, 4);
  s.gluedKept++;
}

/**
 * The message start of the glued line at `line`, the k-th glued line (lines are asked in order),
 * or 0 when the table does not say: `line` is not glued, or lies past the GLUED_MAX kept.
 */
export function gluedMessage(s: LogScan, k: i32, line: usize): usize {
  if (k >= s.gluedKept) return 0;
  const at = GLUED + (<usize>k << 3);
  return <usize>load<u32>(at) == line ? <usize>load<u32>(at, 4) : 0;
}

/** The header of a later line being scanned. */
const HEADER = changetype<CriHeader>(memory.data(<i32>offsetof<CriHeader>(), 8));

function noteHeader(s: LogScan, h: CriHeader): void {
  s.criLines++;
  if (h.stream == Stream.Stdout) s.sawStdout = true; else s.sawStderr = true;
  s.lastTag = h.tag;
  const ms = h.sec * 1000 + <i64>(h.nsec / 1000000);
  if (ms < s.minMs) s.minMs = ms;
  if (ms > s.maxMs) s.maxMs = ms;
}

/** A time at the very start of the text, ended by a space, a tab or the end of the line. */
function leadingTime(s: LogScan, p: usize, lineEnd: usize): void {
  if (!mayStartHeader(p, lineEnd)) return;
  s.timeStatus = parseRfc3339(p, <i32>(lineEnd - p), s);
  if (s.timeStatus != TimeStatus.Ok) return;
  const after = p + <usize>s.len;
  const sep = after == lineEnd || load<u8>(after) == 0x20 || (load<u8>(after) == 0x5c && after + 1 < lineEnd && load<u8>(after + 1) == 0x74);
  if (!sep) { s.timeStatus = TimeStatus.BadSyntax; return; }
  s.hasTime = true;
}

/** Scans the escaped log text [p, end) into `s`; it holds no backslash (so no line break) before `clean`. */
export function scanLog(p: usize, end: usize, clean: usize, s: LogScan): void {
  s.hasTime = false;
  s.timeStatus = TimeStatus.Empty;
  s.isCri = false;
  s.criStatus = CriStatus.BadTime;
  s.lines = 0;
  s.criLines = 0;
  s.messageStarts = 0;
  s.sawStdout = false;
  s.sawStderr = false;
  s.lastTag = Tag.None;
  s.gluedKept = 0;
  s.minMs = i64.MAX_VALUE;
  s.maxMs = i64.MIN_VALUE;
  s.endsWithNewline = end - p >= 2 && load<u8>(end - 2) == 0x5c && load<u8>(end - 1) == 0x6e;

  let line = p;
  while (line < end || s.lines == 0) {
    s.lines++;
    const next = nextLine(line > clean ? line : clean < end ? clean : end, end);
    const textEnd = lineTextEnd(line, next);
    let text = line;
    if (line == p) {
      leadingTime(s, p, textEnd);
      if (s.hasTime) {
        s.criStatus = parseCriAfterTime(p + <usize>s.len, textEnd, s); // the time is parsed already
        if (s.criStatus == CriStatus.Ok) {
          s.isCri = true;
          text = s.message;
          noteHeader(s, s);
        }
      }
      s.kind = lineKind(text, textEnd);
      if (s.kind != LineKind.Empty) s.messageStarts++;
    } else {
      if (mayStartHeader(line, textEnd) && parseCriHeader(line, textEnd, HEADER) == CriStatus.Ok) {
        text = HEADER.message;
        noteHeader(s, HEADER);
        noteGlued(s, line, text);
      }
      if (lineKind(text, textEnd) == LineKind.Start) s.messageStarts++;
    }
    if (next >= end) break;
    line = next;
  }
}

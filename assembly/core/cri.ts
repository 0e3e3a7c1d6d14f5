// The CRI log line: `<RFC 3339 time> <stdout|stderr> <tag> <message>`, split at the first three
// spaces as kubelet does (a message containing " stdout F " cannot confuse it). The tag field is
// a list separated by `:` (the CRI API's LogTagDelimiter) whose first element is `P` (partial:
// the runtime split a long line), `F` (full) or something else (kept, flagged); kubelet reads
// only that first element, and so does this parser. Later elements are kept for the record.
// Lenient on one point: a line that ends right after the tag (`<time> stdout F`, the trailing
// space stripped) is read as an empty message rather than rejected, so its time is not lost.
import { ParsedTime, TimeStatus, parseRfc3339 } from "./time";
import { lineTextEnd, nextLine } from "./lines";

export const enum CriStatus {
  Ok = 0,
  BadTime = 1, // the time did not parse (parseRfc3339 says why)
  NoStream = 2,
  BadStream = 3,
  NoTag = 4,
}

export const enum Stream { None = 0, Stdout = 1, Stderr = 2 }
export const enum Tag { None = 0, Partial = 1, Full = 2, Other = 3 }

/** A CRI header as parseCriHeader() read it: its time, then its parts. Owned by the caller, like ParsedTime. */
@unmanaged export class CriHeader extends ParsedTime {
  stream: Stream = Stream.None;
  tag: Tag = Tag.None;
  /** The tag field's first element (`P`, `F`, ...). */
  tagStart: usize = 0;
  tagEnd: usize = 0;
  /** The rest of the tag field after the first `:` (`TAG1:TAG2` of `P:TAG1:TAG2`); 0 when none. */
  moreTagsStart: usize = 0;
  moreTagsEnd: usize = 0;
  /** Where the message starts (absolute address). */
  message: usize = 0;
}

/** Parses a CRI header at `p`, the line running to `end`, into `out`. */
export function parseCriHeader(p: usize, end: usize, out: CriHeader): CriStatus {
  const len = <i32>(end - p);
  if (parseRfc3339(p, len, out) != TimeStatus.Ok) return CriStatus.BadTime;
  return parseCriAfterTime(p + <usize>out.len, end, out);
}

/** The rest of a CRI header, `q` just after its time (already parsed into `out`). */
export function parseCriAfterTime(q: usize, end: usize, out: CriHeader): CriStatus {
  if (q >= end || load<u8>(q) != 0x20) return CriStatus.NoStream;
  q++;
  if (q + 6 > end) return CriStatus.BadStream;
  // "stdout" / "stderr" as one u32 and one u16 (little-endian).
  const head = load<u32>(q), tail = load<u16>(q, 4);
  if (head == 0x6f647473 && tail == 0x7475) out.stream = Stream.Stdout; // "stdo" "ut"
  else if (head == 0x65647473 && tail == 0x7272) out.stream = Stream.Stderr; // "stde" "rr"
  else return CriStatus.BadStream;
  q += 6;
  if (q >= end || load<u8>(q) != 0x20) return CriStatus.NoTag;
  q++;
  const tagStart = q;
  let firstEnd: usize = 0;
  for (; q < end; q++) {
    const c = load<u8>(q);
    if (c == 0x20) break;
    if (c == 0x3a && firstEnd == 0) firstEnd = q; // ':'
  }
  if (q == tagStart) return CriStatus.NoTag;
  const tagEnd = firstEnd != 0 ? firstEnd : q;
  out.tagStart = tagStart;
  out.tagEnd = tagEnd;
  out.moreTagsStart = firstEnd != 0 ? firstEnd + 1 : 0;
  out.moreTagsEnd = firstEnd != 0 ? q : 0;
  const tagLen = tagEnd - tagStart;
  const t0 = load<u8>(tagStart);
  out.tag = tagLen == 1 && t0 == 0x50 ? Tag.Partial : tagLen == 1 && t0 == 0x46 ? Tag.Full : Tag.Other;
  out.message = q < end ? q + 1 : end;
  return CriStatus.Ok;
}

/**
 * Quick test that a time could start at p (a digit, then `-` at +4): a cheap pre-filter before
 * parsing. It looks at no length: the text may be JSON-escaped, where a length says little.
 */
// @ts-ignore: decorator
@inline export function mayStartHeader(p: usize, end: usize): bool {
  return p + 5 <= end && <u32>(<i32>load<u8>(p) - 0x30) <= 9 && load<u8>(p + 4) == 0x2d;
}

/**
 * The first line at or after p, in JSON-escaped text [p, end), that starts with a whole CRI
 * header (a raw runtime line glued into a longer text by a multiline parser); `end` if none.
 * `p` must be a line start. The header's parts are in `out`.
 */
export function findHeaderLine(p: usize, end: usize, out: CriHeader): usize {
  while (p < end) {
    const next = nextLine(p, end);
    if (mayStartHeader(p, next) && parseCriHeader(p, lineTextEnd(p, next), out) == CriStatus.Ok) return p;
    p = next;
  }
  return end;
}

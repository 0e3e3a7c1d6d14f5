// Is a line the start of a new log message, or the continuation of one (a stack frame, a chained
// exception)? Used for two checks: a record that starts with a continuation (its message began
// in an earlier record) and a record that holds several messages (grouped together by mistake).
// The text is JSON-escaped: a tab is the two bytes `\t`.
//
// Continuations: a tab or two spaces of indentation (Java `\tat …`, Python `  File "…"`; one
// space is not enough: runtimes leave one when a line has two spaces after the CRI tag),
// `Caused by:`, `Suppressed:`, `...`, Python's chained-exception sentences, an exception line
// (`ValueError: …`), and `Traceback (most recent call last):`, which Python's logging writes
// right after the message it belongs to. A bare uncaught traceback also starts with it: seen
// alone in a record it is reported as a continuation too (a record cannot know what came before).

export const enum LineKind {
  Start = 0,
  Continuation = 1,
  Empty = 2,
}

function startsWith(p: usize, end: usize, s: string): bool {
  const n = <usize>s.length;
  if (p + n > end) return false;
  const q = changetype<usize>(s);
  for (let i: usize = 0; i < n; i++) if (<u16>load<u8>(p + i) != load<u16>(q + (i << 1))) return false;
  return true;
}

/** 1 for the bytes of a class name: A-Z a-z 0-9 _ . $ (one load a byte instead of five tests). */
const IDENT: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

// @ts-ignore: decorator
@inline function isIdent(c: u8): bool {
  return load<u8>(IDENT + <usize>c) != 0;
}

const MAX_NAME: usize = 200;

/** `ValueError: …`, `java.lang.IllegalStateException: …`, `KeyError` alone: the exception line of a trace. */
function isExceptionLine(p: usize, end: usize): bool {
  // A class name is short: looking further would make a 16 KiB line cost a scan of its own.
  const limit = end - p > MAX_NAME ? p + MAX_NAME : end;
  let q = p;
  while (q < limit && isIdent(load<u8>(q))) q++;
  if (q == limit && limit < end) return false;
  if (q == p || (q < end && load<u8>(q) != 0x3a)) return false;
  // The name must end in Error, Exception, Warning or Exit (Python and JVM conventions).
  return endsWith(p, q, "Error") || endsWith(p, q, "Exception") || endsWith(p, q, "Warning") || endsWith(p, q, "Exit") || endsWith(p, q, "Interrupt");
}

function endsWith(p: usize, q: usize, s: string): bool {
  const n = <usize>s.length;
  return q - p >= n && startsWith(q - n, q, s);
}

/** Classifies the line [p, end). The first byte picks the one phrase that can match. */
export function lineKind(p: usize, end: usize): LineKind {
  if (p >= end) return LineKind.Empty;
  const c = load<u8>(p);
  const c1: u8 = p + 1 < end ? load<u8>(p + 1) : 0;
  switch (c) {
    case 0x09: return LineKind.Continuation; // a raw tab (Fluent Bit escapes it; kept for other writers)
    case 0x20: return c1 == 0x20 ? LineKind.Continuation : LineKind.Start; // indented frame
    case 0x5c: return c1 == 0x74 ? LineKind.Continuation : LineKind.Start; // escaped tab: `\tat …`
    case 0x2e: if (startsWith(p, end, "...")) return LineKind.Continuation; break; // `.` may start a class name too
    case 0x54: // T
      if (startsWith(p, end, "Traceback (most recent call last):") || startsWith(p, end, "The above exception was the direct cause")) return LineKind.Continuation;
      break;
    case 0x43: if (startsWith(p, end, "Caused by:")) return LineKind.Continuation; break; // C
    case 0x53: if (startsWith(p, end, "Suppressed:")) return LineKind.Continuation; break; // S
    case 0x44: if (startsWith(p, end, "During handling of the above exception")) return LineKind.Continuation; break; // D
  }
  return isExceptionLine(p, end) ? LineKind.Continuation : LineKind.Start;
}

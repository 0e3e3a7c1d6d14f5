// A record that starts with the continuation of an earlier message: a stack frame or a chained
// exception split from the line that began it (the multiline grouping cut in the wrong place).
//   `<space or tab>…`                 indented frame (Java `\tat …`, Python `  File "…"`)
//   `Caused by:` / `Suppressed:`      Java chained exceptions
//   `Traceback (most recent call last):`  a Python traceback separated from its logging line
// The text is JSON-escaped: a tab is the two bytes `\t`.

function startsWith(p: usize, end: usize, s: string): bool {
  const n = <usize>s.length;
  if (p + n > end) return false;
  const q = changetype<usize>(s);
  for (let i: usize = 0; i < n; i++) if (<u16>load<u8>(p + i) != load<u16>(q + (i << 1))) return false;
  return true;
}

export function startsWithContinuation(p: usize, end: usize): bool {
  if (p >= end) return false;
  const c = load<u8>(p);
  if (c == 0x20 || c == 0x09) return true;
  if (c == 0x5c && p + 1 < end && load<u8>(p + 1) == 0x74) return true;
  return startsWith(p, end, "Caused by:") || startsWith(p, end, "Suppressed:") || startsWith(p, end, "Traceback (most recent call last):");
}

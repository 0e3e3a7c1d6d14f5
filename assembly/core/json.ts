// JSON as Fluent Bit hands it to a filter, copied into JSON that both of Fluent Bit's readers
// (jsmn before 5.0, yyjson from 5.0) take back without loss. Fluent Bit's own writer produces
// text that is not JSON for some records (docs/fluent-bit-facts.md); returned as it
// came, Fluent Bit would drop the record. The copy mends each case and keeps the data:
//   non-string key (`{1:"a"}`, `{null:…}`, `{[1]:…}`)  -> the key's text as a string key
//   invalid escape (`"\x65"`, ext values; `\u12`)     -> the backslash escaped: same text
//   `nan`, `inf`, `-inf`, any other bare word          -> a string holding the word
//   a number that overflows a double when read back   -> a string holding the number
//   a number with an exponent and no '.' (`1e+21`)     -> `1.0e+21` (jsmn reads `1e21` as 1)
//   a missing value (`{"a":}`)                         -> null
// Nesting is walked with an explicit stack (no recursion: WAMR's stack is 8 KiB).
import { putByte, putBytes, putJsonEscaped } from "../abi/writer";
import { findQuoteOrBackslash } from "./scan";
import { copyStringMasked, keyAtListed, masking, putMask } from "./mask";

/**
 * What the walks below report besides the position they return. Its owner keeps one in static
 * memory (`changetype<JsonReport>(memory.data(<i32>offsetof<JsonReport>(), 8))`) and passes it
 * to every walk; `broken` is sticky, so that one test after a sequence of walks says whether any
 * of them met broken text, and only its owner clears it.
 */
@unmanaged export class JsonReport {
  /** The structure is broken beyond mending (truncated, stray characters): the copy is not the text's. */
  broken: bool = false;
  /** Where the last stringEnd() met its string's first backslash (its closing quote, or `end`, when it has none). */
  firstEscape: usize = 0;
}

const MAX_DEPTH: i32 = 4096;
const STACK: usize = memory.data(4096);

// @ts-ignore: decorator
@inline function isWs(c: u8): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

/** The first byte at or after p that is not JSON whitespace. */
// @ts-ignore: decorator
@inline export function skipWs(p: usize, end: usize): usize {
  // Fluent Bit writes no whitespace between tokens: one test settles the common case.
  if (p < end && load<u8>(p) > 0x20) return p;
  return skipWsLoop(p, end);
}

function skipWsLoop(p: usize, end: usize): usize {
  while (p < end && isWs(load<u8>(p))) p++;
  return p;
}

/** End (after the closing quote) of the string at p; `end` if unterminated. Reports its first backslash. */
export function stringEnd(p: usize, end: usize, report: JsonReport): usize {
  p++;
  let firstEscape: usize = 0;
  for (;;) {
    p = findQuoteOrBackslash(p, end);
    if (p >= end) break;
    if (load<u8>(p) == 0x22) break;
    if (firstEscape == 0) firstEscape = p;
    p += 2; // an escape: the next byte is never the closing quote
  }
  report.firstEscape = firstEscape != 0 ? firstEscape : p;
  return p < end ? p + 1 : end;
}

/** copyStringBody() for text known to hold no backslash before `clean`: that part is one copy. */
export function copyStringBodyFrom(p: usize, end: usize, clean: usize): void {
  if (clean > p) {
    const upTo = clean < end ? clean : end;
    putBytes(p, upTo - p);
    p = upTo;
  }
  copyStringBody(p, end, true);
}

// @ts-ignore: decorator
@inline function isHex(c: u8): bool {
  return <u32>(c - 0x30) <= 9 || <u32>((c | 0x20) - 0x61) <= 5;
}

/**
 * Writes the inside of a string, [p, end), with invalid escapes mended (the backslash becomes
 * text). Returns where it stopped: at an unescaped quote, or `end`.
 */
export function copyStringBody(p: usize, end: usize, write: bool): usize {
  let run = p;
  for (;;) {
    p = findQuoteOrBackslash(p, end);
    if (p >= end || load<u8>(p) == 0x22) break;
    if (write) putBytes(run, p - run);
    const e: u8 = p + 1 < end ? load<u8>(p + 1) : 0;
    let valid = e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74;
    let n: usize = 2;
    if (e == 0x75) {
      valid = p + 6 <= end && isHex(load<u8>(p + 2)) && isHex(load<u8>(p + 3)) && isHex(load<u8>(p + 4)) && isHex(load<u8>(p + 5));
      n = 6;
    }
    if (valid) {
      if (write) putBytes(p, n);
      p += n;
    } else {
      if (write) { putByte(0x5c); putByte(0x5c); } // the backslash becomes text
      p++;
    }
    run = p;
  }
  if (write) putBytes(run, p - run);
  return p;
}

/** Copies the string at p (opening quote) with escapes mended; returns the position after it. */
export function copyString(p: usize, end: usize, write: bool, report: JsonReport): usize {
  if (write) putByte(0x22);
  p = copyStringBody(p + 1, end, write);
  if (write) putByte(0x22); // an unterminated string is closed, and reported
  if (p >= end) { report.broken = true; return end; }
  return p + 1;
}

// @ts-ignore: decorator
@inline function isDelimiter(c: u8): bool {
  return c == 0x2c || c == 0x5d || c == 0x7d || c == 0x3a || c == 0x22 || c == 0x5b || c == 0x7b || isWs(c);
}

function isWord(p: usize, len: usize, a: u8, b: u8, c: u8, d: u8, e: u8): bool {
  if (len != (e != 0 ? 5 : 4)) return false;
  return load<u8>(p) == a && load<u8>(p + 1) == b && load<u8>(p + 2) == c && load<u8>(p + 3) == d && (e == 0 || load<u8>(p + 4) == e);
}

// The rounding boundary above DBL_MAX (1.7976931348623158079e308): a decimal at or past it reads as infinity.
const MAX_DIGITS = "17976931348623158079";

/**
 * Classifies a bare token: 0 not a JSON number, 1 a number, 2 a number with an exponent and no
 * '.', 3 a number that overflows a double.
 */
export function numberKind(p: usize, len: usize): i32 {
  let i: usize = 0;
  if (i < len && load<u8>(p) == 0x2d) i++;
  const intStart = i;
  while (i < len && <u32>(load<u8>(p + i) - 0x30) <= 9) i++;
  const intDigits = i - intStart;
  if (intDigits == 0 || (intDigits > 1 && load<u8>(p + intStart) == 0x30)) return 0;
  let hasDot = false;
  if (i < len && load<u8>(p + i) == 0x2e) {
    hasDot = true;
    i++;
    const f = i;
    while (i < len && <u32>(load<u8>(p + i) - 0x30) <= 9) i++;
    if (i == f) return 0;
  }
  let exp: i32 = 0, hasExp = false;
  if (i < len && (load<u8>(p + i) | 0x20) == 0x65) {
    hasExp = true;
    i++;
    let neg = false;
    if (i < len && (load<u8>(p + i) == 0x2b || load<u8>(p + i) == 0x2d)) { neg = load<u8>(p + i) == 0x2d; i++; }
    const e0 = i;
    while (i < len && <u32>(load<u8>(p + i) - 0x30) <= 9) {
      if (exp < 100000) exp = exp * 10 + <i32>(load<u8>(p + i) - 0x30);
      i++;
    }
    if (i == e0) return 0;
    if (neg) exp = -exp;
  }
  if (i != len) return 0;
  if (!hasDot && !hasExp && intDigits < 309) return 1; // integers: jsmn saturates, yyjson widens; no overflow below 309 digits
  // Decimal exponent of the leading significant digit.
  let first: usize = intStart;
  let scale: i32 = <i32>intDigits - 1;
  while (first < len && (load<u8>(p + first) == 0x30 || load<u8>(p + first) == 0x2e)) {
    if (load<u8>(p + first) == 0x2e) scale = 0;
    else scale--;
    first++;
  }
  const magnitude = scale + exp;
  if (first >= len || (load<u8>(p + first) | 0x20) == 0x65) return hasExp && !hasDot ? 2 : 1; // zero
  if (magnitude > 308) return 3;
  if (magnitude == 308) {
    // Compare the significant digits with the boundary.
    let k: i32 = 0;
    for (let q = first; q < len && k < 20; q++) {
      const c = load<u8>(p + q);
      if (c == 0x2e) continue;
      if (<u32>(c - 0x30) > 9) break;
      const b = <u8>MAX_DIGITS.charCodeAt(k);
      if (c > b) return 3;
      if (c < b) break;
      k++;
    }
  }
  return hasExp && !hasDot ? 2 : 1;
}

/** Copies a bare token (number, literal, or anything else) as valid JSON. */
function copyBare(p: usize, end: usize, write: bool): usize {
  const start = p;
  while (p < end && !isDelimiter(load<u8>(p))) p++;
  const len = p - start;
  if (!write) return p;
  if (len == 0) { putByte(0x6e); putByte(0x75); putByte(0x6c); putByte(0x6c); return p; } // a missing value
  if (isWord(start, len, 0x74, 0x72, 0x75, 0x65, 0) || isWord(start, len, 0x6e, 0x75, 0x6c, 0x6c, 0) || isWord(start, len, 0x66, 0x61, 0x6c, 0x73, 0x65)) {
    putBytes(start, len);
    return p;
  }
  const kind = numberKind(start, len);
  if (kind == 1) putBytes(start, len);
  else if (kind == 2) {
    let e = start;
    while ((load<u8>(e) | 0x20) != 0x65) e++;
    putBytes(start, e - start); putByte(0x2e); putByte(0x30); putBytes(e, p - e);
  } else {
    putByte(0x22); putJsonEscaped(start, len); putByte(0x22);
  }
  return p;
}

/**
 * End of a container used as a map key (`{[1]:…}`): brackets counted, strings skipped. Its text
 * becomes the key, so its inside need not be valid; a plain counter keeps this free of
 * recursion, however the keys nest.
 */
function containerEnd(p: usize, end: usize, report: JsonReport): usize {
  let depth = 0;
  while (p < end) {
    const c = load<u8>(p);
    if (c == 0x22) { p = stringEnd(p, end, report); continue; }
    if (c == 0x7b || c == 0x5b) depth++;
    else if (c == 0x7d || c == 0x5d) { depth--; if (depth == 0) return p + 1; }
    p++;
  }
  report.broken = true;
  return end;
}

/** Copies a key: a string as it is, anything else as a string of its text. Then the colon. */
export function copyKey(p: usize, end: usize, write: bool, report: JsonReport): usize {
  const c = load<u8>(p);
  if (c == 0x22) {
    p = copyString(p, end, write, report);
  } else {
    const start = p;
    if (c == 0x7b || c == 0x5b) p = containerEnd(p, end, report);
    else while (p < end && !isDelimiter(load<u8>(p))) p++;
    if (write) { putByte(0x22); putJsonEscaped(start, p - start); putByte(0x22); }
  }
  p = skipWs(p, end);
  if (p < end && load<u8>(p) == 0x3a) p++;
  else report.broken = true;
  if (write) putByte(0x3a);
  return skipWs(p, end);
}

export function skipValue(p: usize, end: usize, report: JsonReport): usize {
  return walkValue(p, end, false, report);
}

export function copyValue(p: usize, end: usize, report: JsonReport): usize {
  return walkValue(p, end, true, report);
}

/**
 * Walks one value, writing its mended copy when `write`. Reports broken structure. With
 * masking on (mask.ts), a listed member's value is written as the mask and walked unwritten, and
 * strings are copied with their secrets masked.
 */
function walkValue(p: usize, end: usize, write: bool, report: JsonReport): usize {
  let depth: i32 = 0;
  let w = write; // false while a masked member's value is walked
  let maskedAt: i32 = -1; // the depth of that member
  let masked = false; // the member whose key was just copied is listed
  for (;;) {
    // A value starts here.
    p = skipWs(p, end);
    if (masked) { masked = false; if (w) putMask(); w = false; maskedAt = depth; }
    if (p >= end) report.broken = true; // no value where one must be (a missing value inside a container is mended below, not reported)
    const c: u8 = p < end ? load<u8>(p) : 0;
    if (c == 0x7b || c == 0x5b) {
      if (depth >= MAX_DEPTH) { report.broken = true; return end; }
      store<u8>(STACK + <usize>depth, c);
      depth++;
      if (w) putByte(c);
      p = skipWs(p + 1, end);
      const close: u8 = c + 2; // '{'+2 = '}', '['+2 = ']'
      if (p < end && load<u8>(p) == close) { p++; depth--; if (w) putByte(close); }
      else if (c == 0x7b) { masked = masking && keyAtListed(p, end, report); p = copyKey(p, end, w, report); continue; }
      else continue;
    } else if (c == 0x22) {
      p = masking ? copyStringMasked(p, end, w, report) : copyString(p, end, w, report);
    } else {
      p = copyBare(p, end, w);
    }
    // After a value: separators and closes until the next value or the end of this one.
    for (;;) {
      if (depth == maskedAt) { w = write; maskedAt = -1; } // the masked value ends here
      if (depth == 0) return p;
      p = skipWs(p, end);
      const open = load<u8>(STACK + <usize>(depth - 1));
      const close: u8 = open + 2;
      if (p >= end) { // truncated: close what is open
        report.broken = true;
        if (write) while (depth > 0) { depth--; if (w || depth < maskedAt) putByte(load<u8>(STACK + <usize>depth) + 2); }
        return end;
      }
      const d = load<u8>(p);
      if (d == 0x2c) {
        p = skipWs(p + 1, end);
        if (w) putByte(0x2c);
        if (open == 0x7b) { masked = masking && keyAtListed(p, end, report); p = copyKey(p, end, w, report); }
        break;
      }
      if (d == close) { p++; depth--; if (w) putByte(close); continue; }
      report.broken = true; // anything else: the structure is broken
      if (write) while (depth > 0) { depth--; if (w || depth < maskedAt) putByte(load<u8>(STACK + <usize>depth) + 2); }
      return end;
    }
  }
  return p; // not reached: every path above returns
}

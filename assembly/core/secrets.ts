// Secrets inside the text of a JSON string as Fluent Bit writes it (escaped, between its quotes),
// for the redact filter. The finders read the escaped text as the decoded text would read: an
// escape (`\n`, `\"`, `\u00e9`…) is one character that is none of the characters a secret is made
// of (Fluent Bit escapes only quotes, backslashes, control and non-ASCII characters, never a letter,
// a digit or `/`), so a secret never holds an escape and its span is copied or masked whole.
// lua/redact.lua runs the same finders over the decoded string.
//
// A secret starts at a word start (the character before it is no letter, digit or `_`):
//   Bearer    `Bearer <token>` (any case, one or more spaces): the token, `=` padding included;
//   Password  `password=<value>`, `passwd`, `pwd`, `secret`, `token`, `api_key`, `apikey` (any
//             case), then `=` or `:` with spaces around it allowed, and the name and the value
//             each in quotes or not (`"password": "x"`, as JSON inside a log line): the value,
//             printable ASCII up to a space, quote, backslash, `&`, `,` or `;`;
//   Email     local@domain.tld (local part of letters, digits, `._%+-`; two or more labels of
//             letters, digits and `-`, the last of two or more letters): the whole address;
//   Card      13 to 19 digits, single spaces or dashes between them allowed, passing the Luhn check
//             (as card numbers do, and as timestamps and ids rarely do), no letter or digit right
//             after them: the whole run.
// What is found is reported as a span (the text to mask) in the caller's SecretSpan; the copy decides.

export const enum SecretKind { Bearer = 1, Password = 2, Email = 4, Card = 8 }

/** Where findSecret() found a secret: [start, end). Owned by the caller (static memory). */
@unmanaged export class SecretSpan {
  start: usize = 0;
  end: usize = 0;
}

// @ts-ignore: decorator
@inline function isDigit(c: u8): bool { return c >= 0x30 && c <= 0x39; }
// @ts-ignore: decorator
@inline function isLetter(c: u8): bool { return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a; }
// @ts-ignore: decorator
@inline function isAlnum(c: u8): bool { return isDigit(c) || isLetter(c); }
// @ts-ignore: decorator
@inline export function isWordByte(c: u8): bool { return isAlnum(c) || c == 0x5f; }
function isTokenByte(c: u8): bool { return isAlnum(c) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e || c == 0x2b || c == 0x2f; }
function isLocalByte(c: u8): bool { return isAlnum(c) || c == 0x2e || c == 0x5f || c == 0x25 || c == 0x2b || c == 0x2d; }
function isValueByte(c: u8): bool { return c > 0x20 && c < 0x7f && c != 0x22 && c != 0x5c && c != 0x26 && c != 0x2c && c != 0x3b; }

/** The bytes at p are `word` (ASCII letters and `_`), in any case. */
function wordAt(p: usize, end: usize, word: string): bool {
  const n = <usize>word.length;
  if (p + n > end) return false;
  for (let i: usize = 0; i < n; i++) {
    const w = <u8>word.charCodeAt(<i32>i);
    const c = load<u8>(p + i);
    if (c != w && (c | 0x20) != w) return false;
  }
  return true;
}

// The names a password-like value follows, in lower case; a longer name before one it starts with.
const PASSWORD_NAMES: string[] = ["password", "passwd", "pwd", "secret", "token", "api_key", "apikey"];

/** At p: an escaped quote (`\"`, a quote of the decoded text)? */
// @ts-ignore: decorator
@inline function quoteAt(p: usize, end: usize): bool { return p + 1 < end && load<u8>(p) == 0x5c && load<u8>(p + 1) == 0x22; }

function skipSpaces(p: usize, end: usize): usize {
  while (p < end && load<u8>(p) == 0x20) p++;
  return p;
}

function bearerAt(p: usize, end: usize, out: SecretSpan): bool {
  if (!wordAt(p, end, "bearer")) return false;
  let q = p + 6;
  if (q >= end || load<u8>(q) != 0x20) return false;
  q = skipSpaces(q, end);
  const token = q;
  while (q < end && isTokenByte(load<u8>(q))) q++;
  if (q == token) return false;
  while (q < end && load<u8>(q) == 0x3d) q++;
  out.start = token; out.end = q;
  return true;
}

function passwordAt(p: usize, end: usize, out: SecretSpan): bool {
  for (let i = 0; i < PASSWORD_NAMES.length; i++) {
    const name = unchecked(PASSWORD_NAMES[i]);
    if (!wordAt(p, end, name)) continue;
    let q = p + <usize>name.length;
    if (quoteAt(q, end)) q += 2;
    q = skipSpaces(q, end);
    if (q >= end || (load<u8>(q) != 0x3d && load<u8>(q) != 0x3a)) return false;
    q = skipSpaces(q + 1, end);
    if (quoteAt(q, end)) q += 2;
    const value = q;
    while (q < end && isValueByte(load<u8>(q))) q++;
    if (q == value) return false;
    out.start = value; out.end = q;
    return true;
  }
  return false;
}

function emailAt(p: usize, end: usize, out: SecretSpan): bool {
  let q = p;
  while (q < end && isLocalByte(load<u8>(q))) q++;
  if (q == p || q >= end || load<u8>(q) != 0x40) return false;
  q++;
  let labels = 0;
  let lastLetters = true;
  let lastLength = 0;
  let more = true;
  while (more) {
    const label = q;
    let letters = true;
    while (q < end && (isAlnum(load<u8>(q)) || load<u8>(q) == 0x2d)) { if (!isLetter(load<u8>(q))) letters = false; q++; }
    if (q == label) return false; // an empty label: `a@b..c`, `a@.b`
    labels++;
    lastLetters = letters; lastLength = <i32>(q - label);
    // Another label when a dot is followed by one; a final dot ends the address.
    more = q + 1 < end && load<u8>(q) == 0x2e && (isAlnum(load<u8>(q + 1)) || load<u8>(q + 1) == 0x2d);
    if (more) q++;
  }
  if (labels < 2 || !lastLetters || lastLength < 2) return false;
  out.start = p; out.end = q;
  return true;
}

function cardAt(p: usize, end: usize, out: SecretSpan): bool {
  let q = p;
  let digits = 0;
  let last = p;
  while (q < end && isDigit(load<u8>(q))) {
    digits++;
    q++;
    last = q;
    const c = q < end ? load<u8>(q) : 0;
    if ((c == 0x20 || c == 0x2d) && q + 1 < end && isDigit(load<u8>(q + 1))) q++;
  }
  if (digits < 13 || digits > 19) return false;
  if (last < end && isWordByte(load<u8>(last))) return false;
  // Luhn: from the last digit, every second one doubled.
  let sum = 0, second = false;
  for (let r = last; r > p; ) {
    r--;
    const c = load<u8>(r);
    if (!isDigit(c)) continue;
    let d = <i32>(c - 0x30);
    if (second) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
    second = !second;
  }
  if (sum % 10 != 0) return false;
  out.start = p; out.end = last;
  return true;
}

/**
 * The first secret of the kinds in `kinds` (SecretKind bits) in the escaped text [p, end), the
 * character before p being a word character when `afterWord`; its span in `out`.
 */
export function findSecret(p: usize, end: usize, kinds: u32, afterWord: bool, out: SecretSpan): bool {
  while (p < end) {
    const c = load<u8>(p);
    if (c == 0x5c) { // an escape: one character, no word character
      p += p + 1 < end && load<u8>(p + 1) == 0x75 ? 6 : 2;
      afterWord = false;
      continue;
    }
    if (!afterWord) {
      if (isLetter(c)) {
        if ((kinds & SecretKind.Bearer) && bearerAt(p, end, out)) return true;
        if ((kinds & SecretKind.Password) && passwordAt(p, end, out)) return true;
      }
      if ((kinds & SecretKind.Email) && isLocalByte(c) && emailAt(p, end, out)) return true;
      if ((kinds & SecretKind.Card) && isDigit(c) && cardAt(p, end, out)) return true;
    }
    afterWord = isWordByte(c);
    p++;
  }
  return false;
}

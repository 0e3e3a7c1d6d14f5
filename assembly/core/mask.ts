// Masking while a record is copied (json.ts's walk, when `masking` is on): the value of a member
// whose name is listed becomes the mask, whatever it held; a string's secrets (secrets.ts) are
// replaced by the mask, the rest of its text copied as it came. Off, the copy is as before.
import { putByte, putBytes } from "../abi/writer";
import { JsonReport, copyStringBody, stringEnd } from "./json";
import { SecretSpan, findSecret, isWordByte } from "./secrets";

// @ts-ignore: decorator
@lazy export let masking: bool = false;
// @ts-ignore: decorator
@lazy let maskStart: usize = 0;
// @ts-ignore: decorator
@lazy let maskEnd: usize = 0;
// @ts-ignore: decorator
@lazy let namesStart: usize = 0;
// @ts-ignore: decorator
@lazy let namesEnd: usize = 0;
// @ts-ignore: decorator
@lazy let kinds: u32 = 0;

/**
 * Turns masking on for the copies that follow (off with masking = false): `names` a comma-separated
 * list of member names (ASCII, compared in any case), `mask` the text written instead (no quote,
 * backslash or control character: it is written into the JSON as it is), `secretKinds` SecretKind bits.
 */
export function maskWith(names: usize, namesLength: usize, mask: usize, maskLength: usize, secretKinds: u32): void {
  masking = true;
  namesStart = names; namesEnd = names + namesLength;
  maskStart = mask; maskEnd = mask + maskLength;
  kinds = secretKinds;
}

export function stopMasking(): void { masking = false; }

export function putMask(): void {
  putByte(0x22);
  putBytes(maskStart, maskEnd - maskStart);
  putByte(0x22);
}

/** Is the escaped key text [k, kEnd) one of the listed names (ASCII letters in any case)? */
export function nameListed(k: usize, kEnd: usize): bool {
  let p = namesStart;
  while (p < namesEnd) {
    let q = p;
    while (q < namesEnd && load<u8>(q) != 0x2c) q++;
    if (q - p == kEnd - k && q > p) {
      let same = true;
      for (let i: usize = 0; i < q - p; i++) {
        const a = load<u8>(p + i), b = load<u8>(k + i);
        if (a != b && !(isLetterPair(a, b))) { same = false; break; }
      }
      if (same) return true;
    }
    p = q + 1;
  }
  return false;
}

// @ts-ignore: decorator
@inline function isLetterPair(a: u8, b: u8): bool { return (a | 0x20) == (b | 0x20) && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a; }

/** Is the member key at p (a string key, quotes included) a listed name? */
export function keyAtListed(p: usize, end: usize, report: JsonReport): bool {
  if (load<u8>(p) != 0x22) return false;
  const q = stringEnd(p, end, report);
  return q <= end && q > p + 1 && load<u8>(q - 1) == 0x22 && nameListed(p + 1, q - 1);
}

const FOUND = changetype<SecretSpan>(memory.data(<i32>offsetof<SecretSpan>(), 8));

/** Copies the string at p (quotes included) with its secrets masked; the position after it. */
export function copyStringMasked(p: usize, end: usize, write: bool, report: JsonReport): usize {
  const close = stringEnd(p, end, report) - 1; // the closing quote (or `end - 1` when there is none: copyStringBody finds it)
  let at = p + 1;
  if (write) {
    putByte(0x22);
    let afterWord = false;
    while (findSecret(at, close, kinds, afterWord, FOUND)) {
      copyStringBody(at, FOUND.start, true);
      putBytes(maskStart, maskEnd - maskStart);
      at = FOUND.end;
      afterWord = isWordByte(load<u8>(FOUND.end - 1));
    }
  }
  at = copyStringBody(at, end, write);
  if (write) putByte(0x22); // an unterminated string is closed, and reported
  if (at >= end) { report.broken = true; return end; }
  return at + 1;
}

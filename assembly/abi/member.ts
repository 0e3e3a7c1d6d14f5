// Writing the members of the output object: the comma between members is tracked here.
import { outPos, putByte, reserve, setOutPos } from "./writer";
import { Span } from "../core/span";

// @ts-ignore: decorator
@lazy let needComma: bool = false;

export function resetMembers(): void {
  needComma = false;
}

/** The separator before a member (none before the first). */
export function separator(): void {
  if (needComma) putByte(0x2c);
  needComma = true;
}

/**
 * Separator, then `"key":`, with one capacity check. Setting values hold no quote, backslash or
 * control byte (config.ts), so the key is copied as it is.
 */
export function writeMember(key: Span): void {
  const n = <usize>key.len;
  if (!reserve(n + 4)) return;
  let at = outPos;
  if (needComma) store<u8>(at++, 0x2c);
  needComma = true;
  store<u8>(at, 0x22);
  memory.copy(at + 1, key.ptr, n);
  store<u16>(at + 1 + n, 0x3a22); // `":`
  setOutPos(at + 3 + n);
}

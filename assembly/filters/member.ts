// Writing the members of the output object: the comma between members is tracked here.
import { putByte, putBytes } from "../abi/writer";
import { Span } from "../config/config";

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

/** Separator, then `"key":`. Setting values hold no quote, backslash or control byte (config.ts). */
export function writeMember(key: Span): void {
  separator();
  putByte(0x22); putBytes(key.ptr, <usize>key.len); putByte(0x22); putByte(0x3a);
}

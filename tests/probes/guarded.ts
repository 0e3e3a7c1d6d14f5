// The shipped filters as a guarded debug build sees them (tests/guard.test.ts), plus the check.
export * from "../../assembly/cri_time";
import { outPos, outReset, putByte } from "../../assembly/abi/writer";
import { beginCall } from "../../assembly/abi/arena";
import { guardCheck } from "../../assembly/abi/guard";

/** Address of the first guard byte that changed since the last call began, or 0. */
export function guard_check(): usize {
  return guardCheck(outPos);
}

/** A filter that writes one byte past its output: the guard must catch it. */
export function overrun(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  const start = beginCall();
  outReset(start, 64);
  putByte(0x7b); putByte(0x7d); putByte(0);
  store<u8>(outPos + 3, 0x41);
  return start;
}

/** A filter that writes into its own input: the harness must catch that. */
export function scribble(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  store<u8>(rec, 0x20);
  return rec;
}

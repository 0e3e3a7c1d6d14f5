// A module importing AssemblyScript's default `env.abort(i32,i32,i32,i32)`, which WAMR's
// libc-builtin `abort(i)` does not match.
import { beginCall } from "../../assembly/abi/arena";
export { malloc, free } from "../../assembly/abi/exports";
import "../../assembly/abi/abort";

@external("env", "abort")
declare function envAbort(message: usize, fileName: usize, line: u32, column: u32): void;

export function no_abort(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  beginCall();
  return rec;
}

export function call_abort(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  envAbort(0, 0, 1, 1);
  return rec;
}

// A module that exports no allocator: WAMR would put its own heap inside this module's memory.
import "../../assembly/abi/abort";

export function pass(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return rec;
}

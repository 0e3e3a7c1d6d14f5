// A module built with AssemblyScript's own runtime exported (`__new`/`__pin`/`__unpin`), the
// other allocator contract WAMR knows.
import "../../assembly/abi/abort";
export function pass(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return rec;
}

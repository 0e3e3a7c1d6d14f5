// The allocator Fluent Bit (WAMR) calls to copy the tag and the record into the module.
//
// A bump arena: every block lives until the next filter call begins. Fluent Bit copies the tag
// and the record, calls the filter, reads the result, and (4.2.0+) frees both copies; the next
// record starts with a fresh malloc. So the first malloc after a filter call may reset the arena:
// whatever the previous call used is dead by then, whether Fluent Bit freed it (4.2+), leaked
// it (4.1.x) or threw the whole instance away (before 4.1). Memory stays bounded by the largest
// single call, and free() has nothing to do.

// @ts-ignore: decorator
@lazy let arenaBase: usize = 0;
// @ts-ignore: decorator
@lazy let arenaTop: usize = 0;
// @ts-ignore: decorator
@lazy let copiesPending: bool = false;

import { GUARD_BYTE, GUARD_SIZE, guardAfterBlock, guardForgetBlocks, guarded } from "./guard";

const ALIGN: usize = 8;

function alignUp(p: usize): usize {
  return (p + ALIGN - 1) & ~(ALIGN - 1);
}

/** Makes sure linear memory reaches `end`; false when it cannot grow. */
export function ensureMemory(end: usize): bool {
  const have = (<usize>memory.size()) << 16;
  if (end <= have) return true;
  const pages = <i32>(((end - have + 0xffff) >> 16));
  if (guarded()) {
    if (memory.grow(pages) < 0) return false;
    memory.fill(have, GUARD_BYTE, (<usize>pages) << 16); // new pages are guard too
    return true;
  }
  return memory.grow(pages) >= 0;
}

function base(): usize {
  if (arenaBase == 0) arenaBase = alignUp(__heap_base);
  return arenaBase;
}

export function arenaMalloc(size: usize): usize {
  if (!copiesPending) {
    arenaTop = base(); // a new record: everything from the previous call is dead
    copiesPending = true;
    if (guarded()) guardForgetBlocks();
  }
  const p = alignUp(arenaTop);
  const end = p + size + (guarded() ? GUARD_SIZE : 0);
  if (end < p || !ensureMemory(end)) return 0;
  if (guarded()) guardAfterBlock(p + size);
  arenaTop = end;
  return p;
}

/**
 * Called at the start of every filter call: the copies Fluent Bit made for this call are in
 * place, so its next malloc starts a new record. Returns where the call may put its output.
 */
export function beginCall(): usize {
  copiesPending = false;
  if (arenaTop == 0) arenaTop = base();
  return alignUp(arenaTop);
}

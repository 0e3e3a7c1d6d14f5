// Guard pattern, in builds made with `--use FBWASM_GUARD=1` only (tests/guard.test.ts): every
// block the allocator hands out is followed by GUARD_SIZE bytes of GUARD_BYTE, and everything
// after the output start is filled with it when a call begins writing. After a call, guardCheck()
// finds any byte the filter wrote outside its output or into a guard. In other builds every
// function here compiles to nothing.

export const GUARD_BYTE: u8 = 0xa5;
export const GUARD_SIZE: usize = 32;
const MAX_BLOCKS: i32 = 16;
// @ts-ignore: decorator
@lazy const BLOCKS: usize = memory.data(MAX_BLOCKS * 4);
// @ts-ignore: decorator
@lazy let blocks: i32 = 0;

/** True in the guarded build. */
// @ts-ignore: decorator
@inline export function guarded(): bool {
  // @ts-ignore: defined by `--use FBWASM_GUARD=1`
  return isDefined(FBWASM_GUARD);
}

/** A new record's copies begin: forget the previous record's blocks. */
export function guardForgetBlocks(): void {
  blocks = 0;
}

/** Fills the guard after a block that ends at `end` (the allocator reserved the room). */
export function guardAfterBlock(end: usize): void {
  memory.fill(end, GUARD_BYTE, GUARD_SIZE);
  if (blocks < MAX_BLOCKS) { store<u32>(BLOCKS + (<usize>blocks << 2), <u32>end); blocks++; }
}

/** Fills [from, end of memory): nothing past the output may change. */
export function guardFrom(from: usize): void {
  const end = (<usize>memory.size()) << 16;
  if (from < end) memory.fill(from, GUARD_BYTE, end - from);
}

/** The first byte in [from, to) that is not the guard byte, or 0. */
function firstChanged(from: usize, to: usize): usize {
  for (let p = from; p < to; p++) if (load<u8>(p) != GUARD_BYTE) return p;
  return 0;
}

/**
 * After a call whose output ends (after its NUL) at `outEnd`: the address of the first guard byte
 * that changed, or 0 when every guard is intact.
 */
export function guardCheck(outEnd: usize): usize {
  for (let i = 0; i < blocks; i++) {
    const end = <usize>load<u32>(BLOCKS + (<usize>i << 2));
    const bad = firstChanged(end, end + GUARD_SIZE);
    if (bad != 0) return bad;
  }
  return firstChanged(outEnd, (<usize>memory.size()) << 16);
}

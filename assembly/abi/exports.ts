// The allocator pair WAMR looks for. Export exactly one pair (malloc/free): WAMR would pick
// silently between malloc and AssemblyScript's __new if both were there.
import { arenaMalloc } from "./arena";

export function malloc(size: usize): usize {
  return arenaMalloc(size);
}

export function free(ptr: usize): void {
  // Nothing to do: the arena is reset when the next record's copies arrive (see arena.ts).
}

// A byte string inside linear memory, as a setting's value or a key is kept: where its bytes
// are and how many.

/** Instances live in static data (no allocator involved). */
@unmanaged export class Span {
  ptr: usize = 0;
  len: i32 = 0;
}

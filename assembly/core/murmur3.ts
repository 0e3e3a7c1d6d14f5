// MurmurHash3, x86 128-bit variant (Austin Appleby's public-domain reference, MurmurHash3_x86_128):
// 32-bit arithmetic only, so the Lua twin computes the same value with LuaJIT's 32-bit `bit`
// library. Streaming: bytes are fed in pieces (hashByte / hashBytes) and buffered up to one
// 16-byte block in static memory; nothing allocates.

const C1: u32 = 0x239b961b, C2: u32 = 0xab0e9789, C3: u32 = 0x38b34ae5, C4: u32 = 0xa1e38b93;

// @ts-ignore: decorator
@lazy let h1: u32 = 0;
// @ts-ignore: decorator
@lazy let h2: u32 = 0;
// @ts-ignore: decorator
@lazy let h3: u32 = 0;
// @ts-ignore: decorator
@lazy let h4: u32 = 0;
// @ts-ignore: decorator
@lazy let total: u32 = 0;
/** The bytes of the block being filled, and how many. */
const block: usize = memory.data(16, 4);
// @ts-ignore: decorator
@lazy let filled: u32 = 0;

export function hashBegin(seed: u32): void {
  h1 = seed; h2 = seed; h3 = seed; h4 = seed;
  total = 0; filled = 0;
}

// @ts-ignore: decorator
@inline function mixK1(k: u32): u32 { return rotl<u32>(k * C1, 15) * C2; }
// @ts-ignore: decorator
@inline function mixK2(k: u32): u32 { return rotl<u32>(k * C2, 16) * C3; }
// @ts-ignore: decorator
@inline function mixK3(k: u32): u32 { return rotl<u32>(k * C3, 17) * C4; }
// @ts-ignore: decorator
@inline function mixK4(k: u32): u32 { return rotl<u32>(k * C4, 18) * C1; }

function hashBlock(p: usize): void {
  h1 ^= mixK1(load<u32>(p)); h1 = rotl<u32>(h1, 19) + h2; h1 = h1 * 5 + 0x561ccd1b;
  h2 ^= mixK2(load<u32>(p, 4)); h2 = rotl<u32>(h2, 17) + h3; h2 = h2 * 5 + 0x0bcaa747;
  h3 ^= mixK3(load<u32>(p, 8)); h3 = rotl<u32>(h3, 15) + h4; h3 = h3 * 5 + 0x96cd1c35;
  h4 ^= mixK4(load<u32>(p, 12)); h4 = rotl<u32>(h4, 13) + h1; h4 = h4 * 5 + 0x32ac3b17;
}

export function hashByte(b: u8): void {
  store<u8>(block + <usize>filled, b);
  total++;
  if (++filled == 16) { hashBlock(block); filled = 0; }
}

export function hashBytes(p: usize, n: usize): void {
  const end = p + n;
  while (filled != 0 && p < end) hashByte(load<u8>(p++));
  for (; p + 16 <= end; p += 16) { hashBlock(p); total += 16; } // whole blocks straight from the input
  while (p < end) hashByte(load<u8>(p++));
}

function fmix(h: u32): u32 {
  h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16;
  return h;
}

/** Lane i (0..3) of the tail: its bytes, little-endian; zero past the filled ones. */
function tailLane(i: u32): u32 {
  let k: u32 = 0;
  for (let j: u32 = 0; j < 4; j++) if (i * 4 + j < filled) k |= <u32>load<u8>(block + <usize>(i * 4 + j)) << (j * 8);
  return k;
}

/** Ends the hash; its four words are then hashWord(0..3), the canonical hex order. */
export function hashEnd(): void {
  if (filled > 12) h4 ^= mixK4(tailLane(3));
  if (filled > 8) h3 ^= mixK3(tailLane(2));
  if (filled > 4) h2 ^= mixK2(tailLane(1));
  if (filled > 0) h1 ^= mixK1(tailLane(0));
  h1 ^= total; h2 ^= total; h3 ^= total; h4 ^= total;
  h1 += h2; h1 += h3; h1 += h4; h2 += h1; h3 += h1; h4 += h1;
  h1 = fmix(h1); h2 = fmix(h2); h3 = fmix(h3); h4 = fmix(h4);
  h1 += h2; h1 += h3; h1 += h4; h2 += h1; h3 += h1; h4 += h1;
}

export function hashWord(i: i32): u32 {
  return i == 0 ? h1 : i == 1 ? h2 : i == 2 ? h3 : h4;
}

// msgpack over linear memory, for `event_format msgpack` filters and for anything else that reads
// Fluent Bit's native encoding: a bounds-checked reader cursor, a skip that never decodes, a
// top-level key lookup, a writer with msgpack-c's smallest encodings (what Fluent Bit itself
// writes), and a map edit that copies the members it keeps in whole spans.
//
// Nothing allocates: a read leaves its result in an MpValue the caller owns, text stays where it is. Bad
// input is a status, never a trap. No recursion: skipping counts the values still owed, so depth
// costs nothing (WAMR's stack is 8 KiB).
//
// Mind the NUL (docs/fluent-bit-facts.md, "The text a filter returns"): Fluent Bit takes a returned msgpack buffer up to its first 0x00 byte.
// `mpFirstNul` finds it; a filter must not return a body that has one.
import { putBytes, reserve, outPos, setOutPos } from "../abi/writer";

export const enum MpKind {
  Nil = 0,
  Bool = 1,
  /** A signed or unsigned integer that fits in i64: `MpValue.int`. */
  Int = 2,
  /** A uint64 above i64.MAX_VALUE: `MpValue.uint`. */
  Uint = 3,
  Float32 = 4,
  Float64 = 5,
  Str = 6,
  Bin = 7,
  Array = 8,
  Map = 9,
  Ext = 10,
}

export const enum MpStatus {
  Ok = 0,
  /** The value runs past the end of the input. */
  Truncated = 1,
  /** 0xc1, the one byte msgpack never uses. */
  NeverUsed = 2,
}

/**
 * One value as mpRead() decoded it, in a struct the caller owns. For Str/Bin/Ext the payload is
 * [data, data + len); for Array/Map, len is the element (pair) count and the elements start at
 * `next`. mpSkip() and mpMapFind() use it as their cursor and leave in `status` why they failed.
 */
@unmanaged export class MpValue {
  kind: MpKind = MpKind.Nil;
  /** Int: the value (a uint64 above i64.MAX_VALUE is Uint, in `uint`). */
  int: i64 = 0;
  uint: u64 = 0;
  /** Float32 (widened) and Float64. */
  float: f64 = 0;
  flag: bool = false;
  len: u32 = 0;
  data: usize = 0;
  extType: i8 = 0;
  /** After the header for containers, after the whole value otherwise. */
  next: usize = 0;
  /** Why the last mpSkip() or mpMapFind() with this cursor failed. */
  status: MpStatus = MpStatus.Ok;
}

// @ts-ignore: decorator
@inline function be16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
// @ts-ignore: decorator
@inline function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
// @ts-ignore: decorator
@inline function be64(p: usize): u64 { return bswap<u64>(load<u64>(p)); }

function scalar(v: MpValue, kind: MpKind, next: usize): MpStatus {
  v.kind = kind;
  v.next = next;
  return MpStatus.Ok;
}

function payload(v: MpValue, kind: MpKind, data: usize, len: u32, end: usize): MpStatus {
  // data + len may pass the end of memory on hostile input: compare lengths, not addresses.
  if (data > end || <u64>len > <u64>(end - data)) return MpStatus.Truncated;
  v.kind = kind;
  v.data = data;
  v.len = len;
  v.next = data + <usize>len;
  return MpStatus.Ok;
}

function container(v: MpValue, kind: MpKind, count: u32, next: usize): MpStatus {
  v.kind = kind;
  v.len = count;
  v.next = next;
  return MpStatus.Ok;
}

function ext(v: MpValue, data: usize, len: u32, end: usize): MpStatus {
  // data points at the type byte.
  if (data >= end) return MpStatus.Truncated;
  v.extType = load<i8>(data);
  return payload(v, MpKind.Ext, data + 1, len, end);
}

/** Decodes the header of the value at p (and the value itself for scalars) into `v`. */
export function mpRead(p: usize, end: usize, v: MpValue): MpStatus {
  if (p >= end) return MpStatus.Truncated;
  const b = <u32>load<u8>(p);
  const room = end - p - 1; // bytes after the first
  if (b <= 0x7f) { v.int = <i64>b; return scalar(v, MpKind.Int, p + 1); }
  if (b >= 0xe0) { v.int = <i64><i8>b; return scalar(v, MpKind.Int, p + 1); }
  if (b <= 0x8f) return container(v, MpKind.Map, b & 15, p + 1);
  if (b <= 0x9f) return container(v, MpKind.Array, b & 15, p + 1);
  if (b <= 0xbf) return payload(v, MpKind.Str, p + 1, b & 31, end);
  switch (b) {
    case 0xc0: return scalar(v, MpKind.Nil, p + 1);
    case 0xc1: return MpStatus.NeverUsed;
    case 0xc2: case 0xc3: v.flag = b == 0xc3; return scalar(v, MpKind.Bool, p + 1);
    case 0xc4: if (room < 1) break; return payload(v, MpKind.Bin, p + 2, <u32>load<u8>(p + 1), end);
    case 0xc5: if (room < 2) break; return payload(v, MpKind.Bin, p + 3, be16(p + 1), end);
    case 0xc6: if (room < 4) break; return payload(v, MpKind.Bin, p + 5, be32(p + 1), end);
    case 0xc7: if (room < 1) break; return ext(v, p + 2, <u32>load<u8>(p + 1), end);
    case 0xc8: if (room < 2) break; return ext(v, p + 3, be16(p + 1), end);
    case 0xc9: if (room < 4) break; return ext(v, p + 5, be32(p + 1), end);
    case 0xca: if (room < 4) break; v.float = <f64>reinterpret<f32>(be32(p + 1)); return scalar(v, MpKind.Float32, p + 5);
    case 0xcb: if (room < 8) break; v.float = reinterpret<f64>(be64(p + 1)); return scalar(v, MpKind.Float64, p + 9);
    case 0xcc: if (room < 1) break; v.int = <i64>load<u8>(p + 1); return scalar(v, MpKind.Int, p + 2);
    case 0xcd: if (room < 2) break; v.int = <i64>be16(p + 1); return scalar(v, MpKind.Int, p + 3);
    case 0xce: if (room < 4) break; v.int = <i64>be32(p + 1); return scalar(v, MpKind.Int, p + 5);
    case 0xcf: {
      if (room < 8) break;
      const u = be64(p + 1);
      v.uint = u;
      v.int = <i64>u;
      return scalar(v, u > <u64>i64.MAX_VALUE ? MpKind.Uint : MpKind.Int, p + 9);
    }
    case 0xd0: if (room < 1) break; v.int = <i64>load<i8>(p + 1); return scalar(v, MpKind.Int, p + 2);
    case 0xd1: if (room < 2) break; v.int = <i64><i16>be16(p + 1); return scalar(v, MpKind.Int, p + 3);
    case 0xd2: if (room < 4) break; v.int = <i64><i32>be32(p + 1); return scalar(v, MpKind.Int, p + 5);
    case 0xd3: if (room < 8) break; v.int = <i64>be64(p + 1); return scalar(v, MpKind.Int, p + 9);
    case 0xd4: return ext(v, p + 1, 1, end);
    case 0xd5: return ext(v, p + 1, 2, end);
    case 0xd6: return ext(v, p + 1, 4, end);
    case 0xd7: return ext(v, p + 1, 8, end);
    case 0xd8: return ext(v, p + 1, 16, end);
    case 0xd9: if (room < 1) break; return payload(v, MpKind.Str, p + 2, <u32>load<u8>(p + 1), end);
    case 0xda: if (room < 2) break; return payload(v, MpKind.Str, p + 3, be16(p + 1), end);
    case 0xdb: if (room < 4) break; return payload(v, MpKind.Str, p + 5, be32(p + 1), end);
    case 0xdc: if (room < 2) break; return container(v, MpKind.Array, be16(p + 1), p + 3);
    case 0xdd: if (room < 4) break; return container(v, MpKind.Array, be32(p + 1), p + 5);
    case 0xde: if (room < 2) break; return container(v, MpKind.Map, be16(p + 1), p + 3);
    case 0xdf: if (room < 4) break; return container(v, MpKind.Map, be32(p + 1), p + 5);
  }
  return MpStatus.Truncated;
}

/**
 * The end of the value at p, without decoding it; 0 when it is broken (`v.status` says why;
 * `v` is the cursor). Nested containers only add to the count of values still owed: no stack,
 * no depth limit.
 */
export function mpSkip(p: usize, end: usize, v: MpValue): usize {
  let owed: u64 = 1;
  while (owed > 0) {
    // Every value takes at least one byte: a count larger than what is left cannot be met.
    if (owed > <u64>(end - p)) { v.status = MpStatus.Truncated; return 0; }
    const s = mpRead(p, end, v);
    if (s != MpStatus.Ok) { v.status = s; return 0; }
    owed--;
    if (v.kind == MpKind.Array) owed += <u64>v.len;
    else if (v.kind == MpKind.Map) owed += <u64>v.len << 1;
    p = v.next;
  }
  v.status = MpStatus.Ok;
  return p;
}

/** The end of the value at p that mpRead() has just read into `v`: decoded already unless it is a container. */
function endAfterRead(p: usize, end: usize, v: MpValue): usize {
  return v.kind == MpKind.Array || v.kind == MpKind.Map ? mpSkip(p, end, v) : v.next;
}

/**
 * The value of the first member of the map at `map` whose key is the string [key, key+keyLen);
 * 0 when there is none or the map is broken (`v.status`, `v` the cursor, tells them apart).
 */
export function mpMapFind(map: usize, end: usize, key: usize, keyLen: u32, v: MpValue): usize {
  v.status = mpRead(map, end, v);
  if (v.status != MpStatus.Ok) return 0;
  if (v.kind != MpKind.Map) return 0;
  let n = v.len;
  let p = v.next;
  while (n > 0) {
    const s = mpRead(p, end, v);
    if (s != MpStatus.Ok) { v.status = s; return 0; }
    const isKey = v.kind == MpKind.Str && v.len == keyLen && memory.compare(v.data, key, <usize>keyLen) == 0;
    const value = endAfterRead(p, end, v);
    if (value == 0) return 0;
    if (isKey) return value;
    p = mpSkip(value, end, v);
    if (p == 0) return 0;
    n--;
  }
  return 0;
}

const KEY_BUF_SIZE: i32 = 256;
const KEY_BUF: usize = memory.data(KEY_BUF_SIZE);

/** mpMapFind() with the key as a static ASCII string (at most 256 characters). */
export function mpMapFindText(map: usize, end: usize, key: string, v: MpValue): usize {
  const n = key.length;
  if (n > KEY_BUF_SIZE) { v.status = MpStatus.Ok; return 0; }
  const q = changetype<usize>(key);
  for (let i = 0; i < n; i++) store<u8>(KEY_BUF + <usize>i, <u8>load<u16>(q + (<usize>i << 1)));
  return mpMapFind(map, end, KEY_BUF, <u32>n, v);
}

/** Address of the first 0x00 byte in [p, end), or `end`: where Fluent Bit would cut a body. */
export function mpFirstNul(p: usize, end: usize): usize {
  while (p < end && load<u8>(p) != 0) p++;
  return p;
}

// ---- Writer: msgpack-c's smallest encodings, into the output buffer (abi/writer.ts) ----

// @ts-ignore: decorator
@inline function put1(b: u32): void {
  store<u8>(outPos, <u8>b);
  setOutPos(outPos + 1);
}
// @ts-ignore: decorator
@inline function put2(b: u32, v: u32): void {
  store<u8>(outPos, <u8>b);
  store<u16>(outPos + 1, bswap<u16>(<u16>v));
  setOutPos(outPos + 3);
}
// @ts-ignore: decorator
@inline function put4(b: u32, v: u32): void {
  store<u8>(outPos, <u8>b);
  store<u32>(outPos + 1, bswap<u32>(v));
  setOutPos(outPos + 5);
}
// @ts-ignore: decorator
@inline function put8(b: u32, v: u64): void {
  store<u8>(outPos, <u8>b);
  store<u64>(outPos + 1, bswap<u64>(v));
  setOutPos(outPos + 9);
}

export function mpPutNil(): void {
  if (reserve(1)) put1(0xc0);
}

export function mpPutBool(v: bool): void {
  if (reserve(1)) put1(v ? 0xc3 : 0xc2);
}

export function mpPutUint(v: u64): void {
  if (!reserve(9)) return;
  if (v <= 0x7f) put1(<u32>v);
  else if (v <= 0xff) { put1(0xcc); put1(<u32>v); }
  else if (v <= 0xffff) put2(0xcd, <u32>v);
  else if (v <= 0xffffffff) put4(0xce, <u32>v);
  else put8(0xcf, v);
}

export function mpPutInt(v: i64): void {
  if (v >= 0) { mpPutUint(<u64>v); return; }
  if (!reserve(9)) return;
  if (v >= -32) put1(<u32>v & 0xff);
  else if (v >= -128) { put1(0xd0); put1(<u32>v & 0xff); }
  else if (v >= -32768) put2(0xd1, <u32>v & 0xffff);
  else if (v >= -2147483648) put4(0xd2, <u32>v);
  else put8(0xd3, <u64>v);
}

export function mpPutF32(v: f32): void {
  if (reserve(5)) put4(0xca, reinterpret<u32>(v));
}

export function mpPutF64(v: f64): void {
  if (reserve(9)) put8(0xcb, reinterpret<u64>(v));
}

export function mpPutStrHeader(n: u32): void {
  if (!reserve(5)) return;
  if (n <= 31) put1(0xa0 | n);
  else if (n <= 0xff) { put1(0xd9); put1(n); }
  else if (n <= 0xffff) put2(0xda, n);
  else put4(0xdb, n);
}

export function mpPutStr(p: usize, n: u32): void {
  mpPutStrHeader(n);
  putBytes(p, <usize>n);
}

export function mpPutBin(p: usize, n: u32): void {
  if (!reserve(5)) return;
  if (n <= 0xff) { put1(0xc4); put1(n); }
  else if (n <= 0xffff) put2(0xc5, n);
  else put4(0xc6, n);
  putBytes(p, <usize>n);
}

export function mpPutArrayHeader(n: u32): void {
  if (!reserve(5)) return;
  if (n <= 15) put1(0x90 | n);
  else if (n <= 0xffff) put2(0xdc, n);
  else put4(0xdd, n);
}

export function mpPutMapHeader(n: u32): void {
  if (!reserve(5)) return;
  if (n <= 15) put1(0x80 | n);
  else if (n <= 0xffff) put2(0xde, n);
  else put4(0xdf, n);
}

export function mpPutExt(type: i8, p: usize, n: u32): void {
  if (!reserve(6)) return;
  if (n == 1) put1(0xd4);
  else if (n == 2) put1(0xd5);
  else if (n == 4) put1(0xd6);
  else if (n == 8) put1(0xd7);
  else if (n == 16) put1(0xd8);
  else if (n <= 0xff) { put1(0xc7); put1(n); }
  else if (n <= 0xffff) put2(0xc8, n);
  else put4(0xc9, n);
  put1(<u32><u8>type);
  putBytes(p, <usize>n);
}

/** Fluent Bit's EventTime: ext type 0, 8 bytes, big-endian u32 seconds then u32 nanoseconds. */
export function mpPutEventTime(sec: u32, nsec: u32): void {
  if (!reserve(10)) return;
  put1(0xd7);
  put1(0);
  store<u32>(outPos, bswap<u32>(sec));
  store<u32>(outPos + 4, bswap<u32>(nsec));
  setOutPos(outPos + 8);
}

// ---- Map edit: copy a map, leaving members out, with room for members the caller adds ----

const MAX_DROPS: i32 = 16;
const DROPS: usize = memory.data(MAX_DROPS * 8); // (ptr u32, len u32) pairs
// @ts-ignore: decorator
@lazy let drops: i32 = 0;

/** Forgets the keys given to mpDropKey(). */
export function mpClearDrops(): void {
  drops = 0;
}

/** The next mpCopyMap() leaves out members with this string key (replace = drop, then add). */
export function mpDropKey(key: usize, len: u32): bool {
  if (drops >= MAX_DROPS) return false;
  store<u32>(DROPS + <usize>(drops << 3), <u32>key);
  store<u32>(DROPS + <usize>(drops << 3) + 4, len);
  drops++;
  return true;
}

/** Is the key just read into `v` one to drop? */
function dropped(v: MpValue): bool {
  if (v.kind != MpKind.Str) return false;
  for (let i = 0; i < drops; i++) {
    const at = DROPS + <usize>(i << 3);
    const len = load<u32>(at + 4);
    if (len == v.len && memory.compare(<usize>load<u32>(at), v.data, <usize>len) == 0) return true;
  }
  return false;
}

/** mpCopyMap()'s cursor. */
const COPY_CURSOR = changetype<MpValue>(memory.data(<i32>offsetof<MpValue>(), 8));

/**
 * Writes the map at `map` without the dropped members, its header counting `extra` more members
 * that the caller writes right after. Kept members are copied as they are, runs of them in one
 * memory.copy. Returns false (and writes nothing) when the map is broken.
 */
export function mpCopyMap(map: usize, end: usize, extra: u32): bool {
  const v = COPY_CURSOR;
  if (mpRead(map, end, v) != MpStatus.Ok || v.kind != MpKind.Map) return false;
  const count = v.len;
  const first = v.next;
  // First pass: how many members stay (the header comes first and its width depends on it).
  let kept: u32 = 0;
  let p = first;
  for (let i: u32 = 0; i < count; i++) {
    if (mpRead(p, end, v) != MpStatus.Ok) return false;
    const drop = dropped(v);
    p = endAfterRead(p, end, v);
    if (p == 0) return false;
    p = mpSkip(p, end, v);
    if (p == 0) return false;
    if (!drop) kept++;
  }
  if (<u64>kept + <u64>extra > 0xffffffff) return false;
  mpPutMapHeader(kept + extra);
  // Second pass: copy the kept runs.
  p = first;
  let run = first;
  for (let i: u32 = 0; i < count; i++) {
    mpRead(p, end, v);
    const drop = dropped(v);
    const next = mpSkip(endAfterRead(p, end, v), end, v); // the first pass proved every member whole
    if (drop) {
      putBytes(run, p - run);
      run = next;
    }
    p = next;
  }
  putBytes(run, p - run);
  return true;
}

// Probe module for the harness tests: one exported function per Fluent Bit behaviour, as the
// probes behind ../shared/conformance were (echo, emit given bytes, trap, bad pointers, state).
import { beginCall } from "../../assembly/abi/arena";
import { outReset, outStart, outPos, putAscii, putByte, putBytes } from "../../assembly/abi/writer";
import { putUint } from "../../assembly/core/digits";
export { malloc, free } from "../../assembly/abi/exports";
import "../../assembly/abi/abort";

let calls: u32 = 0;

function begin(expected: usize): void {
  calls++;
  outReset(beginCall(), expected);
}

function finish(): usize {
  putByte(0);
  return outStart;
}

/** JSON mode passthrough: the record as it came (NUL-terminated by Fluent Bit). */
export function jpass(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  calls++;
  beginCall();
  return rec;
}

/** msgpack mode passthrough: a copy of the body followed by one NUL. */
export function mpass(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  begin(<usize>recLen + 1);
  putBytes(rec, <usize>recLen);
  return finish();
}

function hexValue(c: u8): u8 {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

function emitHex(p: usize, n: usize): void {
  for (let i: usize = 0; i + 1 < n; i += 2) putByte((hexValue(load<u8>(p + i)) << 4) | hexValue(load<u8>(p + i + 1)));
}

function find(rec: usize, recLen: usize, needle: string): usize {
  const n = <usize>needle.length;
  const q = changetype<usize>(needle);
  for (let i: usize = 0; i + n <= recLen; i++) {
    let same = true;
    for (let k: usize = 0; k < n && same; k++) same = <u16>load<u8>(rec + i + k) == load<u16>(q + (k << 1));
    if (same) return rec + i + n;
  }
  return 0;
}

/** JSON mode: returns the bytes given as hex in `emit_hex`, then a NUL; else `{"sentinel":1}`. */
export function jout(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  begin(<usize>recLen + 64);
  const at = find(rec, <usize>recLen, "\"emit_hex\":\"");
  if (at == 0) { putAscii("{\"sentinel\":1}"); return finish(); }
  let end = at;
  while (load<u8>(end) != 0x22) end++;
  emitHex(at, end - at);
  return finish();
}

/** msgpack mode: the same, reading the body's `emit_hex` str; else `{"sentinel": true}`. */
export function mout(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  begin(<usize>recLen + 64);
  const at = find(rec, <usize>recLen, "\xa8emit_hex");
  if (at == 0) {
    putByte(0x81); putByte(0xa8); putAscii("sentinel"); putByte(0xc3);
    return finish();
  }
  const h = load<u8>(at);
  let len: usize = 0, p = at;
  if ((h & 0xe0) == 0xa0) { len = h & 0x1f; p += 1; }
  else if (h == 0xd9) { len = load<u8>(at + 1); p += 2; }
  else if (h == 0xda) { len = (<usize>load<u8>(at + 1) << 8) | load<u8>(at + 2); p += 3; }
  else { len = (<usize>load<u8>(at + 1) << 24) | (<usize>load<u8>(at + 2) << 16) | (<usize>load<u8>(at + 3) << 8) | load<u8>(at + 4); p += 5; }
  emitHex(p, len);
  return finish();
}

function report(): usize {
  begin(64);
  putAscii("{\"calls\":"); putUint(calls); putAscii(",\"pages\":"); putUint(<u64>memory.size()); putByte(0x7d);
  return finish();
}

/** `{"calls": n, "pages": p}`: n counts calls in this instance. */
export function count(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return report();
}

export function trap(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  unreachable();
  return 0;
}

export function trap_every_2nd(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  if ((calls + 1) % 2 == 0) { calls++; unreachable(); }
  return report();
}

export function ret_oob(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return 0xfffffff0;
}

export function ret_oob_once(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  if (calls == 0) { calls++; return 0xfffffff0; }
  return report();
}

export function ret0(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  return 0;
}

/** Declared without a result: WAMR reads the first argument's cell (the tag pointer). */
export function no_result(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): void {}

/** Seven parameters: v2 refuses to call it; v5 passes garbage as the seventh. */
export function seven(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32, extra: i32): usize {
  return report();
}

/** Echoes the tag and the time arguments: `{"tag":"…","sec":…,"nsec":…,"nul":<byte after the record>}`. */
export function args(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  begin(<usize>tagLen + 128);
  putAscii("{\"tag\":\""); putBytes(tag, <usize>tagLen); putAscii("\",\"tag_nul\":"); putUint(load<u8>(tag + <usize>tagLen));
  putAscii(",\"sec\":"); putUint(sec); putAscii(",\"nsec\":"); putUint(nsec);
  putAscii(",\"len\":"); putUint(<u64>recLen); putByte(0x7d);
  return finish();
}

export function trap_once(tag: usize, tagLen: i32, sec: u32, nsec: u32, rec: usize, recLen: i32): usize {
  if (calls == 0) { calls++; unreachable(); }
  return report();
}

// A record id that does not depend on when Fluent Bit read the line, for the es/opensearch
// outputs' `Id_Key`: a line read twice (after a restart, or from its rotated file) gets the same
// `_id` and is indexed once. The id is MurmurHash3 x86 128 (core/murmur3.ts, seed 0) of
//
//   identity, 0x00, seconds (i64 little-endian), nanoseconds (u32 little-endian),
//   the stream (`stdout`, `stderr` or nothing), 0x00, the message
//
// written as 32 lowercase hex digits. The time is the recovered write time; the message is `log`
// as the filter writes it (decoded: the bytes Fluent Bit stores). The identity is the container:
//   - `<namespace>/<pod>/<container>` when the tag names a kubelet log file, either the
//     `/var/log/containers/<pod>_<namespace>_<container>-<64 hex id>.log` link or the file it
//     points to, `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log`, so a line has one
//     id whichever path read it;
//   - otherwise the whole tag.
// Either way without a rotation suffix (`.log.1`, kubelet's `.log.20231016-094855`): a line read
// from `x.log` and again from `x.log.1` keeps its id. The Lua twin computes the same value.
import { outPos, putByte, setOutPos } from "../abi/writer";
import { Span } from "../config/config";
import { Stream } from "../core/cri";
import { jsonUnescape } from "../core/json-string";
import { hashBegin, hashByte, hashBytes, hashEnd, hashWord } from "../core/murmur3";
import { writeMember } from "../abi/member";
import { afterLast } from "./tag";

// @ts-ignore: decorator
@inline function isDigit(c: u8): bool { return <u32>(c - 0x30) <= 9; }

/** [p - 4, p) is `.log`. */
function endsWithLog(tag: usize, p: usize): bool {
  return p - tag >= 4 && load<u8>(p - 4) == 0x2e && load<u8>(p - 3) == 0x6c && load<u8>(p - 2) == 0x6f && load<u8>(p - 1) == 0x67;
}

/** The tag's end without a rotation suffix: `.log.` then digits and dashes to the end. */
function withoutRotation(tag: usize, end: usize): usize {
  let p = end;
  while (p > tag && (isDigit(load<u8>(p - 1)) || load<u8>(p - 1) == 0x2d)) p--;
  return p < end && p > tag && load<u8>(p - 1) == 0x2e && endsWithLog(tag, p - 1) ? p - 1 : end;
}

function hashIdentityParts(ns: usize, nsEnd: usize, pod: usize, podEnd: usize, container: usize, containerEnd: usize): void {
  hashBytes(ns, nsEnd - ns); hashByte(0x2f);
  hashBytes(pod, podEnd - pod); hashByte(0x2f);
  hashBytes(container, containerEnd - container);
}

/** `containers.<pod>_<namespace>_<container>-<64 hex>` (stop is before `.log`). */
function containersIdentity(name: usize, stop: usize): bool {
  let u1: usize = 0, u2: usize = 0;
  for (let p = name; p < stop; p++) {
    if (load<u8>(p) == 0x5f) { if (u1 == 0) u1 = p; else { u2 = p; break; } }
  }
  if (u1 == 0 || u2 == 0 || stop - u2 < 67 || load<u8>(stop - 65) != 0x2d) return false; // a container name of 1+ bytes
  hashIdentityParts(u1 + 1, u2, name, u1, u2 + 1, stop - 65);
  return true;
}

/** `pods.<namespace>_<pod>_<uid>.<container>.<n>` (stop is before `.log`). */
function podsIdentity(name: usize, stop: usize): bool {
  let p = stop;
  while (p > name && isDigit(load<u8>(p - 1))) p--;
  if (p == stop || p == name || load<u8>(p - 1) != 0x2e) return false;
  const containerEnd = p - 1;
  p = containerEnd;
  while (p > name && load<u8>(p - 1) != 0x2e) p--;
  if (p == containerEnd || p == name) return false;
  const container = p, dir = p - 1; // `<namespace>_<pod>_<uid>` is [name, dir)
  let u1: usize = 0, u3: usize = 0;
  for (let q = name; q < dir; q++) if (load<u8>(q) == 0x5f) { if (u1 == 0) u1 = q; u3 = q; }
  if (u1 == 0 || u3 <= u1 + 1) return false;
  hashIdentityParts(name, u1, u1 + 1, u3, container, containerEnd);
  return true;
}

function hashIdentity(tag: usize, tagLen: i32): void {
  const end = withoutRotation(tag, tag + <usize>tagLen);
  if (endsWithLog(tag, end)) {
    const stop = end - 4;
    const c = afterLast(tag, stop, "containers.");
    if (c != 0 && containersIdentity(c, stop)) return;
    const p = afterLast(tag, stop, "pods.");
    if (p != 0 && podsIdentity(p, stop)) return;
  }
  hashBytes(tag, end - tag);
}

function hashU32(v: u32): void {
  hashByte(<u8>v); hashByte(<u8>(v >> 8)); hashByte(<u8>(v >> 16)); hashByte(<u8>(v >> 24));
}

const HEX: usize = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);
const STREAM_OUT: usize = memory.data<u8>([0x73, 0x74, 0x64, 0x6f, 0x75, 0x74]);
const STREAM_ERR: usize = memory.data<u8>([0x73, 0x74, 0x64, 0x65, 0x72, 0x72]);

/**
 * Writes the id member. `log` is the escaped text the filter just wrote to the output,
 * [logStart, logEnd); it is decoded past the output's end, hashed, and the space given back.
 */
export function putRecordId(key: Span, tag: usize, tagLen: i32, sec: i64, nsec: i32, stream: Stream, logStart: usize, logEnd: usize): void {
  hashBegin(0);
  hashIdentity(tag, tagLen);
  hashByte(0);
  hashU32(<u32>sec); hashU32(<u32>(sec >> 32)); hashU32(<u32>nsec);
  if (stream == Stream.Stdout) hashBytes(STREAM_OUT, 6);
  else if (stream == Stream.Stderr) hashBytes(STREAM_ERR, 6);
  hashByte(0);
  const mark = outPos;
  jsonUnescape(logStart, logEnd);
  hashBytes(mark, outPos - mark);
  setOutPos(mark);
  hashEnd();
  writeMember(key);
  putByte(0x22);
  for (let i = 0; i < 4; i++) {
    const w = hashWord(i);
    for (let s = 28; s >= 0; s -= 4) putByte(load<u8>(HEX + <usize>((w >> <u32>s) & 0xf)));
  }
  putByte(0x22);
}

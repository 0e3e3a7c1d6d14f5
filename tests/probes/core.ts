// Direct entry points into the AssemblyScript core for table-driven and property tests.
import { beginCall } from "../../assembly/abi/arena";
import { outPos, outReset, outStart, putByte } from "../../assembly/abi/writer";
import { ParsedTime, parseRfc3339 } from "../../assembly/core/time";
import { putRfc3339Utc } from "../../assembly/core/format-time";
import { CriHeader, CriStatus, parseCriHeader } from "../../assembly/core/cri";
import { JsonReport, copyValue } from "../../assembly/core/json";
import { MpKind, MpStatus, MpValue, mpPutArrayHeader, mpPutBin, mpPutBool, mpPutExt, mpPutF32, mpPutF64, mpPutInt, mpPutMapHeader, mpPutNil, mpPutStr, mpPutUint, mpRead, mpSkip } from "../../assembly/core/msgpack";
export { malloc, free } from "../../assembly/abi/exports";
import "../../assembly/abi/abort";

const TIME = changetype<ParsedTime>(memory.data(<i32>offsetof<ParsedTime>(), 8));
const HEADER = changetype<CriHeader>(memory.data(<i32>offsetof<CriHeader>(), 8));

/** Status of parsing [p, p+len); results through the getters below. */
export function parse_time(p: usize, len: i32): i32 {
  return parseRfc3339(p, len, TIME);
}
export function parsed_sec(): i64 { return TIME.sec; }
export function parsed_nsec(): i32 { return TIME.nsec; }
export function parsed_len(): i32 { return TIME.len; }

/** NUL-terminated RFC 3339 UTC text of (sec, nsec). */
export function format_time(sec: i64, nsec: i32): usize {
  outReset(beginCall(), 64);
  putRfc3339Utc(sec, nsec);
  putByte(0);
  return outStart;
}

export function parse_cri(p: usize, len: i32): i32 {
  return parseCriHeader(p, p + <usize>len, HEADER);
}
export function cri_stream(): i32 { return HEADER.stream; }
export function cri_tag(): i32 { return HEADER.tag; }
export function cri_message(): usize { return HEADER.message; }

const MENDED = changetype<JsonReport>(memory.data(<i32>offsetof<JsonReport>(), 8));

/** The mended copy of one JSON value, NUL-terminated; json_error() says whether it was broken. */
export function mend_json(p: usize, len: i32): usize {
  MENDED.broken = false;
  outReset(beginCall(), <usize>len * 3 + 16);
  copyValue(p, p + <usize>len, MENDED);
  putByte(0);
  return outStart;
}
export function json_error(): i32 { return MENDED.broken ? 1 : 0; }

const MP = changetype<MpValue>(memory.data(<i32>offsetof<MpValue>(), 8));

/** End offset of the msgpack value at p (0 when broken). */
export function mp_skip(p: usize, len: i32): i32 {
  const e = mpSkip(p, p + <usize>len, MP);
  return e == 0 ? -1 : <i32>(e - p);
}

/**
 * Reads one msgpack value with the core reader and writes it again with the core writer
 * (a value is a prefix-ordered sequence of headers and scalars: a count of values owed is all
 * the state). NUL-terminated output; out_len() gives its length, -1 when the input is broken.
 */
export function mp_transcode(p: usize, len: i32): usize {
  outReset(beginCall(), <usize>len * 2 + 64);
  const end = p + <usize>len;
  let owed: u64 = 1;
  while (owed > 0) {
    if (mpRead(p, end, MP) != MpStatus.Ok) { outLength = -1; return outStart; }
    owed--;
    switch (MP.kind) {
      case MpKind.Nil: mpPutNil(); break;
      case MpKind.Bool: mpPutBool(MP.flag); break;
      case MpKind.Int: mpPutInt(MP.int); break;
      case MpKind.Uint: mpPutUint(MP.uint); break;
      case MpKind.Float32: mpPutF32(<f32>MP.float); break;
      case MpKind.Float64: mpPutF64(MP.float); break;
      case MpKind.Str: mpPutStr(MP.data, MP.len); break;
      case MpKind.Bin: mpPutBin(MP.data, MP.len); break;
      case MpKind.Ext: mpPutExt(MP.extType, MP.data, MP.len); break;
      case MpKind.Array: mpPutArrayHeader(MP.len); owed += <u64>MP.len; break;
      case MpKind.Map: mpPutMapHeader(MP.len); owed += <u64>MP.len << 1; break;
    }
    p = MP.next;
  }
  outLength = <i32>(outPos - outStart);
  putByte(0);
  return outStart;
}

// @ts-ignore: decorator
@lazy let outLength: i32 = 0;
export function out_len(): i32 { return outLength; }

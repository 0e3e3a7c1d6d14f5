// Settings read once, on the first call of an instance, from the block `fbwasm configure`
// writes into the module (config/block.ts). Strings stay where they are in the block: a
// setting is a (pointer, length) pair, so reading them allocates nothing.
import { CONFIG_BLOCK, CONFIG_BLOCK_SIZE } from "./block";
import { Span } from "../core/span";
export { Span };

// @ts-ignore: decorator
@lazy let loaded: bool = false;

const SPAN_SIZE = <i32>offsetof<Span>();
export const logKey = changetype<Span>(memory.data(SPAN_SIZE, 8));
export const timeKey = changetype<Span>(memory.data(SPAN_SIZE, 8));
export const streamKey = changetype<Span>(memory.data(SPAN_SIZE, 8));
export const tagKey = changetype<Span>(memory.data(SPAN_SIZE, 8));
export const timestampKey = changetype<Span>(memory.data(SPAN_SIZE, 8));
export const eventTimeKey = changetype<Span>(memory.data(SPAN_SIZE, 8));
export const checkKey = changetype<Span>(memory.data(SPAN_SIZE, 8));
export const rawKey = changetype<Span>(memory.data(SPAN_SIZE, 8));
export const kubeKey = changetype<Span>(memory.data(SPAN_SIZE, 8));
/** Empty (the default): no record id is written. */
export const idKey = changetype<Span>(memory.data(SPAN_SIZE, 8));

function setSpan(span: Span, p: usize, len: i32): void {
  span.ptr = p;
  span.len = len;
}

// @ts-ignore: decorator
@lazy export let splitRaw: bool = true;
// @ts-ignore: decorator
@lazy export let repairGlued: bool = true;
// @ts-ignore: decorator
@lazy export let kube: bool = false;
// @ts-ignore: decorator
@lazy export let spanThresholdMs: i64 = 1000;
// @ts-ignore: decorator
@lazy export let driftThresholdMs: i64 = 1000;
// @ts-ignore: decorator
@lazy export let pieceBytes: i64 = 16384;

function nameIs(p: usize, len: i32, s: string): bool {
  if (len != s.length) return false;
  const q = changetype<usize>(s);
  for (let i = 0; i < len; i++) if (<u16>load<u8>(p + <usize>i) != load<u16>(q + (<usize>i << 1))) return false;
  return true;
}

function parseBool(p: usize, len: i32): bool {
  return nameIs(p, len, "true") || nameIs(p, len, "on") || nameIs(p, len, "1") || nameIs(p, len, "yes");
}

function parseNumber(p: usize, len: i32, fallback: i64): i64 {
  if (len == 0 || len > 15) return fallback;
  let v: i64 = 0;
  for (let i = 0; i < len; i++) {
    const d = <i32>load<u8>(p + <usize>i) - 0x30;
    if (<u32>d > 9) return fallback;
    v = v * 10 + <i64>d;
  }
  return v;
}

function setting(k: usize, kl: i32, v: usize, vl: i32): void {
  let span: Span | null = null;
  if (nameIs(k, kl, "log_key")) span = logKey;
  else if (nameIs(k, kl, "time_key")) span = timeKey;
  else if (nameIs(k, kl, "stream_key")) span = streamKey;
  else if (nameIs(k, kl, "tag_key")) span = tagKey;
  else if (nameIs(k, kl, "timestamp_key")) span = timestampKey;
  else if (nameIs(k, kl, "event_time_key")) span = eventTimeKey;
  else if (nameIs(k, kl, "check_key")) span = checkKey;
  else if (nameIs(k, kl, "raw_key")) span = rawKey;
  else if (nameIs(k, kl, "kube_key")) span = kubeKey;
  else if (nameIs(k, kl, "id_key")) span = idKey;
  else if (nameIs(k, kl, "split_raw")) splitRaw = parseBool(v, vl);
  else if (nameIs(k, kl, "repair_glued")) repairGlued = parseBool(v, vl);
  else if (nameIs(k, kl, "kube")) kube = parseBool(v, vl);
  else if (nameIs(k, kl, "span_ms")) spanThresholdMs = parseNumber(v, vl, spanThresholdMs);
  else if (nameIs(k, kl, "drift_ms")) driftThresholdMs = parseNumber(v, vl, driftThresholdMs);
  else if (nameIs(k, kl, "partial_piece_bytes")) pieceBytes = parseNumber(v, vl, pieceBytes);
  // Key names are written into JSON as they are: one holding a quote, a backslash or a control
  // byte is refused (`fbwasm configure` refuses it too) and the default stays.
  if (span && isPlainText(v, vl)) setSpan(span, v, vl);
}

function isPlainText(p: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x22 || c == 0x5c || c < 0x20) return false;
  }
  return true;
}

/** Parses the block on the first call; later calls return at once. */
export function loadConfig(): void {
  if (loaded) return;
  loaded = true;
  const end = CONFIG_BLOCK + <usize>CONFIG_BLOCK_SIZE;
  let p = CONFIG_BLOCK;
  while (p < end && load<u8>(p) != 0x0a) p++; // the magic line
  p++;
  while (p < end) {
    const lineStart = p;
    let eq: usize = 0;
    while (p < end && load<u8>(p) != 0x0a) { if (eq == 0 && load<u8>(p) == 0x3d) eq = p; p++; }
    if (p >= end) break; // the padding after the last line
    if (eq > lineStart) setting(lineStart, <i32>(eq - lineStart), eq + 1, <i32>(p - eq - 1));
    p++;
  }
}

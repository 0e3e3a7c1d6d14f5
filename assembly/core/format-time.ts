// Epoch seconds + nanoseconds to RFC 3339 UTC with 9 fraction digits, the form Elasticsearch
// `date_nanos` and Fluent Bit's `%Y-%m-%dT%H:%M:%S.%L%z` both read back exactly.
import { outPos, reserve, setOutPos } from "../abi/writer";

/** H. Hinnant's civil_from_days; returns y*10000 + m*100 + d. */
export function civilFromDays(z0: i64): i64 {
  const z = z0 + 719468;
  const era: i64 = (z >= 0 ? z : z - 146096) / 146097;
  const doe: i64 = z - era * 146097;
  const yoe: i64 = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy: i64 = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp: i64 = (5 * doy + 2) / 153;
  const d: i64 = doy - (153 * mp + 2) / 5 + 1;
  const m: i64 = mp < 10 ? mp + 3 : mp - 9;
  const y: i64 = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000 + m * 100 + d;
}

// @ts-ignore: decorator
@inline function two(at: usize, v: u32): void {
  store<u8>(at, <u8>(0x30 + v / 10));
  store<u8>(at + 1, <u8>(0x30 + v % 10));
}

/** Writes `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (30 bytes). `sec` must be within years 0001-9999. */
export function putRfc3339Utc(sec: i64, nsec: i32): void {
  if (!reserve(30)) return;
  let days = sec / 86400;
  let rem = <u32>(sec % 86400);
  if (sec % 86400 < 0) { rem = <u32>(sec % 86400 + 86400); days--; }
  const ymd = civilFromDays(days);
  const year = <u32>(ymd / 10000);
  const at = outPos;
  two(at, year / 100); two(at + 2, year % 100); store<u8>(at + 4, 0x2d);
  two(at + 5, <u32>((ymd / 100) % 100)); store<u8>(at + 7, 0x2d);
  two(at + 8, <u32>(ymd % 100)); store<u8>(at + 10, 0x54);
  two(at + 11, rem / 3600); store<u8>(at + 13, 0x3a);
  two(at + 14, (rem / 60) % 60); store<u8>(at + 16, 0x3a);
  two(at + 17, rem % 60); store<u8>(at + 19, 0x2e);
  let n = <u32>nsec;
  for (let i: usize = 28; i >= 20; i--) { store<u8>(at + i, <u8>(0x30 + n % 10)); n /= 10; }
  store<u8>(at + 29, 0x5a);
  setOutPos(at + 30);
}

// Epoch seconds + nanoseconds to RFC 3339 UTC with 9 fraction digits, the form Elasticsearch
// `date_nanos` and Fluent Bit's `%Y-%m-%dT%H:%M:%S.%L%z` both read back exactly.
import { putByte, putPadded } from "../abi/writer";

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

/** Writes `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (30 bytes). `sec` must be within years 0001-9999. */
export function putRfc3339Utc(sec: i64, nsec: i32): void {
  let days = sec / 86400;
  let rem = sec % 86400;
  if (rem < 0) { rem += 86400; days--; }
  const ymd = civilFromDays(days);
  putPadded(<u32>(ymd / 10000), 4); putByte(0x2d);
  putPadded(<u32>((ymd / 100) % 100), 2); putByte(0x2d);
  putPadded(<u32>(ymd % 100), 2); putByte(0x54);
  putPadded(<u32>(rem / 3600), 2); putByte(0x3a);
  putPadded(<u32>((rem / 60) % 60), 2); putByte(0x3a);
  putPadded(<u32>(rem % 60), 2); putByte(0x2e);
  putPadded(<u32>nsec, 9); putByte(0x5a);
}

// Epoch seconds + nanoseconds to RFC 3339 UTC with 9 fraction digits, the form Elasticsearch
// `date_nanos` and Fluent Bit's `%Y-%m-%dT%H:%M:%S.%L%z` both read back exactly.
// Unsigned 32-bit arithmetic throughout and two digits per table lookup: WAMR pays for every
// instruction.
import { outPos, reserve, setOutPos } from "../abi/writer";
import { putPair } from "./digits";

/** H. Hinnant's civil_from_days, for days counted so that every date of 0001-9999 is positive; y*10000 + m*100 + d. */
export function civilFromDays(days: i64): i64 {
  const z = <u32>(days + 719468); // 0001-01-01 is day 306 of this count
  const era = z / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return <i64>y * 10000 + <i64>(m * 100 + d);
}

/** Writes `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (30 bytes). `sec` must be within years 0001-9999. */
export function putRfc3339Utc(sec: i64, nsec: i32): void {
  if (!reserve(30)) return;
  // Shifted to a positive count (0001-01-01 is day 0) so that the divisions need no floor.
  const fromYear1 = <u64>(sec + 62135596800);
  const days = <u32>(fromYear1 / 86400);
  const rem = <u32>(fromYear1 - <u64>days * 86400);
  const ymd = <u32>civilFromDays(<i64>days - 719162);
  const year = ymd / 10000;
  const md = ymd - year * 10000;
  const at = outPos;
  putPair(at, year / 100); putPair(at + 2, year % 100); store<u8>(at + 4, 0x2d);
  putPair(at + 5, md / 100); store<u8>(at + 7, 0x2d);
  putPair(at + 8, md % 100); store<u8>(at + 10, 0x54);
  const hour = rem / 3600, minSec = rem - hour * 3600, minute = minSec / 60;
  putPair(at + 11, hour); store<u8>(at + 13, 0x3a);
  putPair(at + 14, minute); store<u8>(at + 16, 0x3a);
  putPair(at + 17, minSec - minute * 60); store<u8>(at + 19, 0x2e);
  const n = <u32>nsec;
  const n1 = n / 10000000, r1 = n - n1 * 10000000; // digits 1-2
  const n2 = r1 / 100000, r2 = r1 - n2 * 100000; // 3-4
  const n3 = r2 / 1000, r3 = r2 - n3 * 1000; // 5-6
  const n4 = r3 / 10; // 7-8, then 9
  putPair(at + 20, n1); putPair(at + 22, n2); putPair(at + 24, n3); putPair(at + 26, n4);
  store<u8>(at + 28, <u8>(0x30 + r3 - n4 * 10));
  store<u8>(at + 29, 0x5a);
  setOutPos(at + 30);
}

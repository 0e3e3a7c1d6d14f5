// RFC 3339 times as container runtimes write them (CRI `time.RFC3339Nano`, Docker json-file):
//   YYYY-MM-DD('T'|'t')hh:mm:ss[.f{1,}]('Z'|'z'|('+'|'-')hh:mm)
// Decisions (documented in the README):
// - fraction: 1 or more digits; digits past the 9th are truncated (the instant stays inside the
//   same nanosecond); a '.' with no digit is rejected.
// - calendar: years 0001-9999, real month lengths and leap years, hour <= 23, minute <= 59,
//   second <= 59. Second 60 is rejected: Go's time package, which stamps CRI and Docker lines,
//   never writes it, and Fluent Bit's own parser would roll it into the next minute.
// - offset: hours <= 23, minutes <= 59; the colon is required, as RFC 3339 says.
// The result is epoch seconds (i64, negative before 1970) and nanoseconds, in UTC.

export const enum TimeStatus {
  Ok = 0,
  Empty = 1,
  BadSyntax = 2,
  BadYear = 3,
  BadMonth = 4,
  BadDay = 5,
  BadHour = 6,
  BadMinute = 7,
  BadSecond = 8,
  BadFraction = 9,
  BadOffset = 10,
  OutOfRange = 11,
}

/**
 * A time as parseRfc3339() read it. The caller owns the instance (one in static memory:
 * `changetype<ParsedTime>(memory.data(<i32>offsetof<ParsedTime>(), 8))`), so parsing allocates
 * nothing and no state is shared between callers.
 */
@unmanaged export class ParsedTime {
  sec: i64 = 0;
  nsec: i32 = 0;
  /** Bytes the time text took (a CRI header continues after it). */
  len: i32 = 0;
}

// @ts-ignore: decorator
@inline function digit(p: usize): i32 {
  return <i32>load<u8>(p) - 0x30;
}

/**
 * Two ASCII digits at p, or -1. Both bytes are tested at once: after subtracting '0' from each,
 * a digit is 0-9, so neither it nor it plus 6 reaches 0x10; any other byte (a borrow included)
 * sets a bit in 0xf0. Straight-line: WAMR pays for every instruction.
 */
// @ts-ignore: decorator
@inline function digits2(p: usize): i32 {
  const v = <u32>load<u16>(p) - 0x3030;
  if (((v | (v + 0x0606)) & 0xfffff0f0) != 0) return -1;
  return <i32>((v & 0xff) * 10 + (v >> 8));
}

/** Eight ASCII digits at p as a number, or -1 (the same test on a whole word, then SWAR sums). */
// @ts-ignore: decorator
@inline function digits8(p: usize): i32 {
  let v = load<u64>(p) - 0x3030303030303030;
  if (((v | (v + 0x0606060606060606)) & 0xf0f0f0f0f0f0f0f0) != 0) return -1;
  v = (v * 10 + (v >> 8)) & 0x00ff00ff00ff00ff; // pairs of digits (the first byte is the most significant)
  v = (v * 100 + (v >> 16)) & 0x0000ffff0000ffff; // groups of four
  return <i32>((v * 10000 + (v >> 32)) & 0xffffffff);
}

export function isLeapYear(y: i32): bool {
  return (y & 3) == 0 && (y % 100 != 0 || y % 400 == 0);
}

// Days in each month, and days before it, of a common year.
const MONTH_DAYS: usize = memory.data<u8>([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
const DAYS_BEFORE: usize = memory.data<u16>([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]);

export function daysInMonth(y: i32, m: i32): i32 {
  return <i32>load<u8>(MONTH_DAYS + <usize>(m - 1)) + (m == 2 && isLeapYear(y) ? 1 : 0);
}

/** Days since 1970-01-01 of a date of the years 0001-9999 (counted from 0001-01-01, all positive). */
export function daysFromCivil(y: i32, m: i32, d: i32): i64 {
  const before = <u32>(y - 1);
  const days = before * 365 + before / 4 - before / 100 + before / 400 +
    <u32>load<u16>(DAYS_BEFORE + (<usize>(m - 1) << 1)) + (m > 2 && isLeapYear(y) ? 1 : 0) + <u32>(d - 1);
  return <i64>days - 719162; // 1970-01-01 is day 719162 of the count
}

/**
 * Parses the RFC 3339 time at [p, p+len). The time may be followed by other text (a CRI
 * header); on success `out` holds the time and the bytes it took, else it is left as it was.
 */
export function parseRfc3339(p: usize, len: i32, out: ParsedTime): TimeStatus {
  if (len <= 0) return TimeStatus.Empty;
  if (len < 19) return TimeStatus.BadSyntax;
  if (load<u8>(p + 4) != 0x2d || load<u8>(p + 7) != 0x2d || load<u8>(p + 13) != 0x3a || load<u8>(p + 16) != 0x3a) return TimeStatus.BadSyntax;
  const t = load<u8>(p + 10) | 0x20;
  if (t != 0x74) return TimeStatus.BadSyntax; // 'T' or 't'
  const century = digits2(p), yy = digits2(p + 2), month = digits2(p + 5), day = digits2(p + 8);
  const hour = digits2(p + 11), minute = digits2(p + 14), second = digits2(p + 17);
  if ((century | yy | month | day | hour | minute | second) < 0) return TimeStatus.BadSyntax;
  const year = century * 100 + yy;
  if (year < 1) return TimeStatus.BadYear;
  if (<u32>(month - 1) > 11) return TimeStatus.BadMonth;
  if (day < 1 || day > daysInMonth(year, month)) return TimeStatus.BadDay;
  if (hour > 23) return TimeStatus.BadHour;
  if (minute > 59) return TimeStatus.BadMinute;
  if (second > 59) return TimeStatus.BadSecond;

  let i: i32 = 19;
  let nsec: i32 = 0;
  if (i < len && load<u8>(p + <usize>i) == 0x2e) {
    i++;
    let n = 0;
    // The common case, 8 or 9 digits (RFC3339Nano drops trailing zeros), in one word.
    if (i + 8 <= len) {
      const eight = digits8(p + <usize>i);
      if (eight >= 0) { nsec = eight; n = 8; i += 8; }
    }
    while (i < len) {
      const d = digit(p + <usize>i);
      if (<u32>d > 9) break;
      if (n < 9) nsec = nsec * 10 + d;
      n++;
      i++;
    }
    if (n == 0) return TimeStatus.BadFraction;
    if (n < 9) nsec *= <i32>load<u32>(SCALE + (<usize>n << 2));
  }
  if (i >= len) return TimeStatus.BadOffset; // no zone: the instant it means is unknown
  let offset: i32 = 0;
  const z = load<u8>(p + <usize>i);
  if ((z | 0x20) == 0x7a) { // 'Z' or 'z'
    i++;
  } else if (z == 0x2b || z == 0x2d) {
    if (i + 6 > len || load<u8>(p + <usize>(i + 3)) != 0x3a) return TimeStatus.BadOffset;
    const oh = digits2(p + <usize>(i + 1)), om = digits2(p + <usize>(i + 4));
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return TimeStatus.BadOffset;
    offset = (oh * 60 + om) * 60;
    if (z == 0x2d) offset = -offset;
    i += 6;
  } else return TimeStatus.BadOffset;

  const sec = daysFromCivil(year, month, day) * 86400 + <i64>(hour * 3600 + minute * 60 + second - offset);
  // The UTC instant must still be writable as a 4-digit year.
  if (sec < MIN_SEC || sec > MAX_SEC) return TimeStatus.OutOfRange;
  out.sec = sec;
  out.nsec = nsec;
  out.len = i;
  return TimeStatus.Ok;
}

/** 10^(9-n): what n fraction digits are multiplied by to make nanoseconds. */
const SCALE: usize = memory.data<u32>([1000000000, 100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1]);

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z
const MIN_SEC: i64 = -62135596800;
const MAX_SEC: i64 = 253402300799;

/** Short reason codes, written into diagnostics. Static strings: no allocation. */
export function timeStatusName(s: TimeStatus): string {
  switch (s) {
    case TimeStatus.Empty: return "empty";
    case TimeStatus.BadSyntax: return "bad_syntax";
    case TimeStatus.BadYear: return "bad_year";
    case TimeStatus.BadMonth: return "bad_month";
    case TimeStatus.BadDay: return "bad_day";
    case TimeStatus.BadHour: return "bad_hour";
    case TimeStatus.BadMinute: return "bad_minute";
    case TimeStatus.BadSecond: return "bad_second";
    case TimeStatus.BadFraction: return "bad_fraction";
    case TimeStatus.BadOffset: return "bad_offset";
  }
  return "out_of_range"; // the one status left: Ok is never named
}

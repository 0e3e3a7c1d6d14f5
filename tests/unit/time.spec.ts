// core/time.ts and core/format-time.ts at their boundaries (the BigInt property test in
// tests/core-time.test.ts covers the years 0001-9999 at random).
import { TimeStatus, daysFromCivil, daysInMonth, isLeapYear, ParsedTime, parseRfc3339 } from "../../assembly/core/time";
import { civilFromDays, putRfc3339Utc } from "../../assembly/core/format-time";
import { outputText, startOutput, text, textLen } from "./helpers";

class TimeCase { constructor(public text: string, public status: TimeStatus, public sec: i64 = 0, public nsec: i32 = 0) {} }

const CASES: TimeCase[] = [
  new TimeCase("2023-10-16T09:48:55.123456789Z", TimeStatus.Ok, 1697449735, 123456789),
  new TimeCase("2025-07-10T08:47:36.927938223-05:00", TimeStatus.Ok, 1752155256, 927938223),
  new TimeCase("2019-04-30T02:12:41.8443515Z", TimeStatus.Ok, 1556590361, 844351500),
  new TimeCase("2022-09-07T11:52:55.505530838Z", TimeStatus.Ok, 1662551575, 505530838),
  new TimeCase("1970-01-01T00:00:00Z", TimeStatus.Ok, 0, 0),
  new TimeCase("1969-12-31T23:59:59.999999999Z", TimeStatus.Ok, -1, 999999999),
  new TimeCase("0001-01-01T00:00:00Z", TimeStatus.Ok, -62135596800, 0),
  new TimeCase("9999-12-31T23:59:59.999999999Z", TimeStatus.Ok, 253402300799, 999999999),
  new TimeCase("2023-10-16T09:50:58.1234567891234Z", TimeStatus.Ok, 1697449858, 123456789),
  new TimeCase("2023-10-16t09:50:58.1z", TimeStatus.Ok, 1697449858, 100000000),
  new TimeCase("2024-02-29T00:00:00+23:59", TimeStatus.Ok, 1709078460, 0),
  new TimeCase("0001-01-01T00:30:00+01:00", TimeStatus.OutOfRange),
  new TimeCase("9999-12-31T23:30:00-01:00", TimeStatus.OutOfRange),
  new TimeCase("2023-02-29T00:00:00Z", TimeStatus.BadDay),
  new TimeCase("2100-02-29T00:00:00Z", TimeStatus.BadDay),
  new TimeCase("2000-02-29T00:00:00Z", TimeStatus.Ok, 951782400, 0),
  new TimeCase("2023-04-31T00:00:00Z", TimeStatus.BadDay),
  new TimeCase("2023-01-32T00:00:00Z", TimeStatus.BadDay),
  new TimeCase("2023-01-00T00:00:00Z", TimeStatus.BadDay),
  new TimeCase("2023-13-01T00:00:00Z", TimeStatus.BadMonth),
  new TimeCase("2023-00-01T00:00:00Z", TimeStatus.BadMonth),
  new TimeCase("0000-01-01T00:00:00Z", TimeStatus.BadYear),
  new TimeCase("2023-06-01T24:00:00Z", TimeStatus.BadHour),
  new TimeCase("2023-06-01T23:60:00Z", TimeStatus.BadMinute),
  new TimeCase("2016-12-31T23:59:60Z", TimeStatus.BadSecond),
  new TimeCase("2023-10-16T09:50:58.Z", TimeStatus.BadFraction),
  new TimeCase("2023-10-16T09:50:58", TimeStatus.BadOffset),
  new TimeCase("2023-10-16T09:50:58+0900", TimeStatus.BadOffset),
  new TimeCase("2023-10-16T09:50:58+24:00", TimeStatus.BadOffset),
  new TimeCase("2023-10-16T09:50:58+09:60", TimeStatus.BadOffset),
  new TimeCase("2023-10-16 09:50:58Z", TimeStatus.BadSyntax),
  new TimeCase("2023-1-16T09:50:58Z", TimeStatus.BadSyntax),
  new TimeCase("2023-10-16T09:5a:58Z", TimeStatus.BadSyntax),
  new TimeCase("", TimeStatus.Empty),
];

const T = changetype<ParsedTime>(memory.data(<i32>offsetof<ParsedTime>(), 8));

describe("parseRfc3339", () => {
  it("every boundary, with the instant", () => {
    for (let i = 0; i < CASES.length; i++) {
      const c = CASES[i];
      const p = text(c.text);
      expect(parseRfc3339(p, <i32>textLen(c.text), T)).toBe(c.status, c.text);
      if (c.status != TimeStatus.Ok) continue;
      expect(T.sec).toBe(c.sec, c.text);
      expect(T.nsec).toBe(c.nsec, c.text);
      expect(T.len).toBe(<i32>textLen(c.text), c.text);
    }
  });
  it("reads only as far as the time goes", () => {
    const s = "2023-10-16T09:48:55.5Z stdout F hi";
    expect(parseRfc3339(text(s), <i32>textLen(s), T)).toBe(TimeStatus.Ok);
    expect(T.len).toBe(22);
  });
});

describe("calendar", () => {
  it("leap years and month lengths", () => {
    expect(isLeapYear(2024)).toBe(true);
    expect(isLeapYear(1900)).toBe(false);
    expect(isLeapYear(2000)).toBe(true);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 4)).toBe(30);
    expect(daysInMonth(2023, 12)).toBe(31);
  });
  it("days from civil and back, across the years 0001-9999", () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(1, 1, 1)).toBe(-719162);
    for (let d: i64 = -719162; d <= 2932896; d += 997) {
      const ymd = civilFromDays(d);
      expect(daysFromCivil(<i32>(ymd / 10000), <i32>((ymd / 100) % 100), <i32>(ymd % 100))).toBe(d);
    }
  });
});

describe("putRfc3339Utc", () => {
  it("9 digits, UTC, before 1970 too", () => {
    startOutput(); putRfc3339Utc(1697449735, 123456789); expect(outputText()).toBe("2023-10-16T09:48:55.123456789Z");
    startOutput(); putRfc3339Utc(-1, 999999999); expect(outputText()).toBe("1969-12-31T23:59:59.999999999Z");
    startOutput(); putRfc3339Utc(-62135596800, 0); expect(outputText()).toBe("0001-01-01T00:00:00.000000000Z");
    startOutput(); putRfc3339Utc(253402300799, 999999999); expect(outputText()).toBe("9999-12-31T23:59:59.999999999Z");
    startOutput(); putRfc3339Utc(951868799, 5); expect(outputText()).toBe("2000-02-29T23:59:59.000000005Z");
  });
});

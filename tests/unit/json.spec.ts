// core/json-string.ts, and what the walks of core/json.ts report.
import { UnescapeStatus, jsonUnescape } from "../../assembly/core/json-string";
import { JsonReport, skipValue, stringEnd } from "../../assembly/core/json";
import { outputHex, outputText, startOutput, text, textLen } from "./helpers";

function unescape(s: string): UnescapeStatus {
  startOutput();
  const p = text(s);
  return jsonUnescape(p, p + textLen(s));
}

class Case { constructor(public escaped: string, public hex: string, public status: UnescapeStatus) {} }

const CASES: Case[] = [
  new Case("plain", "706c61696e", UnescapeStatus.Ok),
  new Case("", "", UnescapeStatus.Ok),
  new Case('\\"\\\\\\/\\b\\f\\n\\r\\t', "225c2f080c0a0d09", UnescapeStatus.Ok),
  new Case("\\u0000", "00", UnescapeStatus.Ok),
  new Case("\\u007f\\u0080", "7fc280", UnescapeStatus.Ok),
  new Case("\\u07ff\\u0800", "dfbfe0a080", UnescapeStatus.Ok),
  new Case("\\uffff", "efbfbf", UnescapeStatus.Ok),
  new Case("\\uD83D\\uDE00", "f09f9880", UnescapeStatus.Ok), // a surrogate pair, either case
  new Case("\\ud83d\\ude00", "f09f9880", UnescapeStatus.Ok),
  new Case("\\udbff\\udfff", "f48fbfbf", UnescapeStatus.Ok), // U+10FFFF
  new Case("\\ud83d", "efbfbd", UnescapeStatus.LoneSurrogate),
  new Case("\\ude00x", "efbfbd78", UnescapeStatus.LoneSurrogate),
  new Case("\\ud83d\\u0041", "efbfbd41", UnescapeStatus.LoneSurrogate),
  new Case("\\x41", "5c783431", UnescapeStatus.BadEscape), // Fluent Bit's ext values: kept as text
  new Case("\\u12", "5c753132", UnescapeStatus.BadEscape),
  new Case("\\u12g4", "5c75313267" + "34", UnescapeStatus.BadEscape),
  new Case("end\\", "656e645c", UnescapeStatus.BadEscape),
  new Case("2023-10-16T09:48:55Z stdout F a\\tb\\n", "323032332d31302d31365430393a34383a35355a207374646f75742046206109620a", UnescapeStatus.Ok),
];

describe("jsonUnescape: one string value decoded on demand", () => {
  it("every escape, surrogate pairs, and mended escapes that keep their bytes", () => {
    for (let i = 0; i < CASES.length; i++) {
      expect(unescape(CASES[i].escaped)).toBe(CASES[i].status, CASES[i].escaped);
      expect(outputHex()).toBe(CASES[i].hex, CASES[i].escaped);
    }
  });
  it("raw UTF-8 and raw control bytes pass as they are", () => {
    unescape("é😀\u0001");
    expect(outputText()).toBe("é😀\u0001");
  });
});

const REPORT = changetype<JsonReport>(memory.data(<i32>offsetof<JsonReport>(), 8));

/** Where skipValue() stops in `json`; -1 when it reports the text broken. */
function skipped(json: string): i32 {
  REPORT.broken = false;
  const p = text(json);
  const q = skipValue(p, p + textLen(json), REPORT);
  return REPORT.broken ? -1 : <i32>(q - p);
}

describe("skipValue: one value's end, and whether its text is broken", () => {
  it("nested values, whitespace, the keys Fluent Bit writes unquoted", () => {
    expect(skipped('{"log":"x"}')).toBe(11);
    expect(skipped('{ "a" : [1,{"log":2}] , "log" : "y" } tail')).toBe(37);
    expect(skipped('{1:"a",null:nan}')).toBe(16);
    expect(skipped('"a\\"b" x')).toBe(6);
  });
  it("broken text is reported", () => {
    expect(skipped('{"a":1')).toBe(-1);
    expect(skipped('{"a":1 "log":2}')).toBe(-1);
    expect(skipped('{"a" 1}')).toBe(-1);
    expect(skipped('"open')).toBe(-1);
  });
  it("the report stays set until its owner clears it", () => {
    REPORT.broken = false;
    const broken = text('{"a":1');
    skipValue(broken, broken + 6, REPORT);
    const whole = text('{"b":2}');
    skipValue(whole, whole + 7, REPORT);
    expect(REPORT.broken).toBe(true);
  });
});

/** stringEnd() over `s`: its end and its first backslash, as offsets. */
function scanned(s: string): string {
  const p = text(s);
  const e = stringEnd(p, p + textLen(s), REPORT);
  return (<i32>(e - p)).toString() + "," + (<i32>(REPORT.firstEscape - p)).toString();
}

describe("stringEnd: where a string ends, and its first backslash", () => {
  it("an escaped quote does not end it; the first backslash is reported", () => {
    expect(scanned('"ab\\"c\\\\d"x')).toBe("10,3");
  });
  it("no backslash: the closing quote is reported", () => {
    expect(scanned('"abc"')).toBe("5,4");
  });
  it("unterminated: the end, for both", () => {
    expect(scanned('"ab')).toBe("3,3");
  });
});

// core/json-string.ts and the top-level key lookup of core/json.ts.
import { UnescapeStatus, jsonUnescape } from "../../assembly/core/json-string";
import { jsonError, jsonFindKey, setJsonError } from "../../assembly/core/json";
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

function find(json: string, key: string): i32 {
  setJsonError(false);
  const p = text(json);
  const v = jsonFindKey(p, p + textLen(json), text(key), <i32>textLen(key));
  return v == 0 ? -1 : <i32>(v - p);
}

describe("jsonFindKey: top-level members, values skipped", () => {
  it("finds keys at any position, with whitespace, after nested values", () => {
    expect(find('{"log":"x"}', "log")).toBe(7);
    expect(find('{ "a" : [1,{"log":2}] , "log" : "y" }', "log")).toBe(32);
    expect(find('{"a":{"b":{"c":[]}},"time":"t"}', "time")).toBe(27);
    expect(find('{"log":"x"}', "lo")).toBe(-1);
    expect(find('{"lo":"x","log":1}', "log")).toBe(16);
    expect(jsonError).toBe(false);
  });
  it("the keys Fluent Bit writes unquoted are read, never matched as strings", () => {
    expect(find('{1:"a","log":"b"}', "log")).toBe(13);
    expect(find('{"x":nan,"log":1}', "log")).toBe(15);
  });
  it("broken text: not found, and said so", () => {
    expect(find('{"a":1', "log")).toBe(-1);
    expect(jsonError).toBe(true);
    expect(find('{"a":1 "log":2}', "log")).toBe(-1);
    expect(jsonError).toBe(true);
    expect(find("[1]", "log")).toBe(-1);
    expect(find("", "log")).toBe(-1);
  });
});

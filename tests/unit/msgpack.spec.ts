// core/msgpack.ts: every encoding at its size boundaries (the off-by-one places), read back,
// truncated at every byte, skipped without recursion, keys found, maps edited.
import {
  MpKind, MpStatus, MpValue, mpClearDrops, mpCopyMap, mpDropKey, mpFirstNul, mpMapFind, mpMapFindText, mpPutArrayHeader,
  mpPutBin, mpPutBool, mpPutEventTime, mpPutExt, mpPutF32, mpPutF64, mpPutInt, mpPutMapHeader, mpPutNil, mpPutStr,
  mpPutStrHeader, mpPutUint, mpRead, mpSkip,
} from "../../assembly/core/msgpack";
import { hexBytes, outputHex, startOutput, text, textLen, toHex } from "./helpers";

/** The value each read leaves its result in (the reader's caller owns it). */
const V = changetype<MpValue>(memory.data(<i32>offsetof<MpValue>(), 8));

class UintCase { constructor(public v: u64, public hex: string) {} }
class IntCase { constructor(public v: i64, public hex: string) {} }
class SizeCase { constructor(public n: u32, public hex: string) {} }

const UINTS: UintCase[] = [
  new UintCase(0, "00"), new UintCase(127, "7f"), new UintCase(128, "cc80"), new UintCase(255, "ccff"),
  new UintCase(256, "cd0100"), new UintCase(65535, "cdffff"), new UintCase(65536, "ce00010000"),
  new UintCase(4294967295, "ceffffffff"), new UintCase(4294967296, "cf0000000100000000"),
  new UintCase(<u64>i64.MAX_VALUE, "cf7fffffffffffffff"), new UintCase(<u64>i64.MAX_VALUE + 1, "cf8000000000000000"),
  new UintCase(u64.MAX_VALUE, "cfffffffffffffffff"),
];
const INTS: IntCase[] = [
  new IntCase(-1, "ff"), new IntCase(-32, "e0"), new IntCase(-33, "d0df"), new IntCase(-128, "d080"),
  new IntCase(-129, "d1ff7f"), new IntCase(-32768, "d18000"), new IntCase(-32769, "d2ffff7fff"),
  new IntCase(-2147483648, "d280000000"), new IntCase(-2147483649, "d3ffffffff7fffffff"),
  new IntCase(i64.MIN_VALUE, "d38000000000000000"), new IntCase(5, "05"), new IntCase(i64.MAX_VALUE, "cf7fffffffffffffff"),
];
const STR_HEADERS: SizeCase[] = [
  new SizeCase(0, "a0"), new SizeCase(31, "bf"), new SizeCase(32, "d920"), new SizeCase(255, "d9ff"),
  new SizeCase(256, "da0100"), new SizeCase(65535, "daffff"), new SizeCase(65536, "db00010000"),
];
const ARRAY_HEADERS: SizeCase[] = [
  new SizeCase(0, "90"), new SizeCase(15, "9f"), new SizeCase(16, "dc0010"), new SizeCase(65535, "dcffff"), new SizeCase(65536, "dd00010000"),
];
const MAP_HEADERS: SizeCase[] = [
  new SizeCase(0, "80"), new SizeCase(15, "8f"), new SizeCase(16, "de0010"), new SizeCase(65535, "deffff"), new SizeCase(65536, "df00010000"),
];
const EXT_HEADERS: SizeCase[] = [
  new SizeCase(1, "d4"), new SizeCase(2, "d5"), new SizeCase(3, "c703"), new SizeCase(4, "d6"), new SizeCase(8, "d7"),
  new SizeCase(16, "d8"), new SizeCase(17, "c711"), new SizeCase(255, "c7ff"), new SizeCase(256, "c80100"), new SizeCase(65536, "c900010000"),
];

function zeros(n: u32): usize {
  const p = heap.alloc(<usize>n + 1);
  memory.fill(p, 0x61, <usize>n);
  return p;
}

/** Reads the value at hex and checks it spans exactly the whole text. */
function readAll(hex: string): usize {
  const p = hexBytes(hex);
  const end = p + <usize>(hex.length >> 1);
  expect(mpRead(p, end, V)).toBe(MpStatus.Ok, hex);
  expect(mpSkip(p, end, V)).toBe(end, hex + " skipped to its end");
  mpRead(p, end, V);
  return p;
}

describe("writer: msgpack-c's smallest encoding at every size boundary", () => {
  it("unsigned integers", () => {
    for (let i = 0; i < UINTS.length; i++) { startOutput(); mpPutUint(UINTS[i].v); expect(outputHex()).toBe(UINTS[i].hex); }
  });
  it("signed integers (non-negative ones as msgpack-c writes them: the unsigned forms)", () => {
    for (let i = 0; i < INTS.length; i++) { startOutput(); mpPutInt(INTS[i].v); expect(outputHex()).toBe(INTS[i].hex); }
  });
  it("str, array and map headers", () => {
    for (let i = 0; i < STR_HEADERS.length; i++) { startOutput(); mpPutStrHeader(STR_HEADERS[i].n); expect(outputHex()).toBe(STR_HEADERS[i].hex); }
    for (let i = 0; i < ARRAY_HEADERS.length; i++) { startOutput(); mpPutArrayHeader(ARRAY_HEADERS[i].n); expect(outputHex()).toBe(ARRAY_HEADERS[i].hex); }
    for (let i = 0; i < MAP_HEADERS.length; i++) { startOutput(); mpPutMapHeader(MAP_HEADERS[i].n); expect(outputHex()).toBe(MAP_HEADERS[i].hex); }
  });
  it("bin at 0, 255, 256 and 65536 bytes", () => {
    startOutput(); mpPutBin(0, 0); expect(outputHex()).toBe("c400");
    startOutput(); mpPutBin(zeros(255), 255); expect(outputHex().slice(0, 4)).toBe("c4ff");
    startOutput(); mpPutBin(zeros(256), 256); expect(outputHex().slice(0, 6)).toBe("c50100");
    startOutput(); mpPutBin(zeros(65536), 65536); expect(outputHex().slice(0, 10)).toBe("c600010000");
  });
  it("ext: fixext for 1, 2, 4, 8, 16 bytes, ext8/16/32 otherwise, then the type byte", () => {
    for (let i = 0; i < EXT_HEADERS.length; i++) {
      const c = EXT_HEADERS[i];
      startOutput(); mpPutExt(-1, zeros(c.n), c.n);
      expect(outputHex().slice(0, c.hex.length + 2)).toBe(c.hex + "ff");
      expect(outputHex().length).toBe(c.hex.length + 2 + <i32>c.n * 2);
    }
  });
  it("str, nil, bool, floats and Fluent Bit's EventTime", () => {
    startOutput(); mpPutStr(text("log"), 3); expect(outputHex()).toBe("a36c6f67");
    startOutput(); mpPutNil(); mpPutBool(false); mpPutBool(true); expect(outputHex()).toBe("c0c2c3");
    startOutput(); mpPutF32(1.5); mpPutF64(1.5); mpPutF64(-0.0); expect(outputHex()).toBe("ca3fc00000cb3ff8000000000000cb8000000000000000");
    startOutput(); mpPutEventTime(1697449735, 123456789); expect(outputHex()).toBe("d700652d0707075bcd15");
    startOutput(); mpPutEventTime(u32.MAX_VALUE, 999999999); expect(outputHex()).toBe("d700ffffffff3b9ac9ff");
  });
});

describe("reader: every type, back from the writer's boundaries", () => {
  it("unsigned and signed integers, uint64 above i64 kept apart", () => {
    for (let i = 0; i < UINTS.length; i++) {
      readAll(UINTS[i].hex);
      if (UINTS[i].v > <u64>i64.MAX_VALUE) { expect(V.kind).toBe(MpKind.Uint); expect(V.uint).toBe(UINTS[i].v); }
      else { expect(V.kind).toBe(MpKind.Int); expect(V.int).toBe(<i64>UINTS[i].v); }
    }
    for (let i = 0; i < INTS.length; i++) { readAll(INTS[i].hex); expect(V.kind).toBe(MpKind.Int); expect(V.int).toBe(INTS[i].v); }
    // Non-minimal forms (PackedForward keeps them) read the same.
    readAll("d005"); expect(V.int).toBe(5);
    readAll("cf0000000000000001"); expect(V.int).toBe(1);
    readAll("d1ffff"); expect(V.int).toBe(-1);
  });
  it("str, bin and ext payloads in place; str8 of 0 bytes", () => {
    const p = readAll("a36c6f67"); expect(V.kind).toBe(MpKind.Str); expect(V.len).toBe(3); expect(V.data).toBe(p + 1);
    readAll("d900"); expect(V.kind).toBe(MpKind.Str); expect(V.len).toBe(0);
    readAll("c50002abcd"); expect(V.kind).toBe(MpKind.Bin); expect(V.len).toBe(2);
    readAll("d700652d0707075bcd15"); expect(V.kind).toBe(MpKind.Ext); expect(V.extType).toBe(0); expect(V.len).toBe(8);
    expect(toHex(V.data, 8)).toBe("652d0707075bcd15");
    readAll("c703fe010203"); expect(V.extType).toBe(-2); expect(V.len).toBe(3);
    readAll("c9000000017f00"); expect(V.extType).toBe(0x7f); expect(V.len).toBe(1);
  });
  it("floats (float32 widened exactly), nil, bool", () => {
    readAll("ca3dcccccd"); expect(V.kind).toBe(MpKind.Float32); expect(V.float).toBe(<f64><f32>0.1);
    readAll("cb3ff8000000000000"); expect(V.kind).toBe(MpKind.Float64); expect(V.float).toBe(1.5);
    readAll("c0"); expect(V.kind).toBe(MpKind.Nil);
    readAll("c3"); expect(V.kind).toBe(MpKind.Bool);
  });
  it("array and map headers give the count and where the elements start", () => {
    const p = readAll("92c0c0"); expect(V.kind).toBe(MpKind.Array); expect(V.len).toBe(2); expect(V.next).toBe(p + 1);
    readAll("de0001a161c0"); expect(V.kind).toBe(MpKind.Map); expect(V.len).toBe(1);
    readAll("dd00000000"); expect(V.kind).toBe(MpKind.Array); expect(V.len).toBe(0);
  });
  it("0xc1 is refused, never read as something", () => {
    const p = hexBytes("c1");
    expect(mpRead(p, p + 1, V)).toBe(MpStatus.NeverUsed);
    expect(mpSkip(p, p + 1, V)).toBe(0);
    expect(V.status).toBe(MpStatus.NeverUsed);
  });
});

const WHOLE: string[] = [
  "cc80", "cd0100", "ce00010000", "cf0000000100000000", "d0df", "d1ff7f", "d2ffff7fff", "d38000000000000000",
  "ca3fc00000", "cb3ff8000000000000", "a36c6f67", "d903616263", "da0003616263", "db00000003616263",
  "c403010203", "c50003010203", "c600000003010203", "d40001", "d5000102", "d60001020304", "d7000102030405060708",
  "d800" + "00".repeat(16), "c70300010203", "c8000300010203", "c90000000300010203", "92a161c0", "dc000101", "dd0000000101",
  "82a16101a16202", "de0001a16101", "df00000001a16101",
];

describe("truncated input: a status at every byte, never a read past the end", () => {
  it("every prefix of every encoding is refused", () => {
    for (let i = 0; i < WHOLE.length; i++) {
      const hex = WHOLE[i];
      const n = <usize>(hex.length >> 1);
      const p = hexBytes(hex);
      expect(mpSkip(p, p + n, V)).toBe(p + n, hex);
      for (let cut: usize = 0; cut < n; cut++) {
        expect(mpSkip(p, p + cut, V)).toBe(0, hex + " cut at " + cut.toString());
        expect(V.status).toBe(MpStatus.Truncated);
      }
    }
  });
  it("a container claiming 4 billion members in 5 bytes is refused at once", () => {
    const p = hexBytes("dfffffffff");
    expect(mpSkip(p, p + 5, V)).toBe(0);
    expect(V.status).toBe(MpStatus.Truncated);
    const q = hexBytes("ddffffffff");
    expect(mpSkip(q, q + 5, V)).toBe(0);
  });
  it("a str32 whose length would wrap the address space is truncated, not wrapped", () => {
    const p = hexBytes("dbffffffff41");
    expect(mpRead(p, p + 6, V)).toBe(MpStatus.Truncated);
  });
});

describe("skip: nesting costs no stack", () => {
  it("100,000 nested arrays", () => {
    const depth = 100000;
    const p = heap.alloc(<usize>depth + 1);
    memory.fill(p, 0x91, <usize>depth);
    store<u8>(p + <usize>depth, 0xc0);
    expect(mpSkip(p, p + <usize>depth + 1, V)).toBe(p + <usize>depth + 1);
    expect(mpSkip(p, p + <usize>depth, V)).toBe(0);
  });
  it("skips exactly one value of a sequence", () => {
    const p = hexBytes("82a16101a162920102c3");
    expect(mpSkip(p, p + 10, V)).toBe(p + 9);
  });
});

describe("top-level keys", () => {
  // {"log":"x","time":1,"k":{"time":2}}
  const MAP = "83a36c6f67a178a474696d6501a16b81a474696d6502";
  it("finds a key's value without decoding the others; nested keys are not top-level", () => {
    const p = hexBytes(MAP);
    const end = p + <usize>(MAP.length >> 1);
    const v = mpMapFindText(p, end, "time", V);
    expect(v).toBe(p + 12);
    expect(load<u8>(v)).toBe(1);
    expect(mpMapFind(p, end, text("log"), 3, V)).toBe(p + 5);
    expect(mpMapFindText(p, end, "nope", V)).toBe(0);
    expect(V.status).toBe(MpStatus.Ok);
  });
  it("a broken map says so; a non-string key never matches", () => {
    const p = hexBytes("82a36c6f67a178a474696d");
    expect(mpMapFindText(p, p + 11, "time", V)).toBe(0);
    expect(V.status).toBe(MpStatus.Truncated);
    const q = hexBytes("8101a101"); // {1: "\x01"}
    expect(mpMapFindText(q, q + 4, "1", V)).toBe(0);
  });
  it("the first NUL, where Fluent Bit would cut a returned body", () => {
    const p = hexBytes("81a16100");
    expect(mpFirstNul(p, p + 4)).toBe(p + 3);
    expect(mpFirstNul(p, p + 3)).toBe(p + 3);
  });
});

describe("map edit: kept members copied in spans", () => {
  it("drops, then adds: {a:1,b:2,c:3} - b + d:4", () => {
    const src = "83a16101a16202a16303";
    const p = hexBytes(src);
    mpClearDrops(); mpDropKey(text("b"), 1);
    startOutput();
    expect(mpCopyMap(p, p + 10, 1)).toBe(true);
    mpPutStr(text("d"), 1); mpPutInt(4);
    expect(outputHex()).toBe("83a16101a16303a16404");
  });
  it("the header shrinks from map16 to fixmap when the count drops to 15", () => {
    let hex = "de0010";
    for (let i = 0; i < 16; i++) hex += "a1" + (0x61 + i).toString(16) + "0" + (i % 10).toString();
    const p = hexBytes(hex);
    mpClearDrops(); mpDropKey(text("a"), 1);
    startOutput();
    expect(mpCopyMap(p, p + <usize>(hex.length >> 1), 0)).toBe(true);
    expect(outputHex()).toBe("8f" + hex.slice(6 + 6));
  });
  it("every member with a dropped key goes (duplicates too); unknown keys are kept", () => {
    const p = hexBytes("83a16101a16102a16203");
    mpClearDrops(); mpDropKey(text("a"), 1); mpDropKey(text("zz"), 2);
    startOutput();
    expect(mpCopyMap(p, p + 10, 0)).toBe(true);
    expect(outputHex()).toBe("81a16203");
  });
  it("a broken map writes nothing", () => {
    const p = hexBytes("83a16101a162");
    mpClearDrops();
    startOutput();
    expect(mpCopyMap(p, p + 6, 0)).toBe(false);
    expect(outputHex()).toBe("");
    const q = hexBytes("93010203");
    expect(mpCopyMap(q, q + 4, 0)).toBe(false);
  });
  it("at most 16 keys can be dropped at once", () => {
    mpClearDrops();
    const k = text("k");
    for (let i = 0; i < 16; i++) expect(mpDropKey(k, 1)).toBe(true);
    expect(mpDropKey(k, 1)).toBe(false);
    mpClearDrops();
  });
});

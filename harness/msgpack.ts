/**
 * Lossless msgpack codec for the harness.
 *
 * Fluent Bit's chunks carry values a JavaScript number cannot (uint64, float32 widths, ext,
 * maps with non-string or duplicate keys), so values are kept as a tagged tree that re-encodes
 * to the same bytes when they were canonical (msgpack-c's minimal forms).
 */
import { InputError } from "./input-error.ts";

export type MpValue =
  | { t: "nil" }
  | { t: "bool"; v: boolean }
  | { t: "int"; v: bigint }
  | { t: "float"; v: number; bits: 32 | 64 }
  | { t: "str"; b: Uint8Array }
  | { t: "bin"; b: Uint8Array }
  | { t: "arr"; items: MpValue[] }
  | { t: "map"; entries: [MpValue, MpValue][] }
  | { t: "ext"; type: number; b: Uint8Array };

/** Bytes that are not the msgpack expected: an input error when they come from a user's file. */
export class MsgpackError extends InputError {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte offset ${offset}`);
  }
}

const utf8 = new TextEncoder();

export const mp = {
  nil: (): MpValue => ({ t: "nil" }),
  bool: (v: boolean): MpValue => ({ t: "bool", v }),
  int: (v: number | bigint): MpValue => ({ t: "int", v: BigInt(v) }),
  f64: (v: number): MpValue => ({ t: "float", v, bits: 64 }),
  str: (s: string | Uint8Array): MpValue => ({ t: "str", b: typeof s === "string" ? utf8.encode(s) : s }),
  arr: (items: MpValue[]): MpValue => ({ t: "arr", items }),
  map: (entries: [MpValue, MpValue][]): MpValue => ({ t: "map", entries }),
  /** A map from a plain object of string keys. */
  obj: (o: Record<string, MpValue>): MpValue => ({ t: "map", entries: Object.entries(o).map(([k, v]) => [mp.str(k), v]) }),
};

/** A cursor over bytes. Every read is bounds-checked and reports the offset of the problem. */
export class MpReader {
  pos: number;
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, start = 0, readonly end = bytes.length, readonly maxDepth = 10_000) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) throw new MsgpackError(`truncated ${what}: need ${n} bytes, ${this.end - this.pos} left`, this.pos);
  }
  private u8(): number { this.need(1, "value"); return this.bytes[this.pos++]; }
  private u16(): number { this.need(2, "value"); const v = this.view.getUint16(this.pos); this.pos += 2; return v; }
  private u32(): number { this.need(4, "value"); const v = this.view.getUint32(this.pos); this.pos += 4; return v; }
  private take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /**
   * Decodes one value. `depth` counts the containers around it; a container that would make more
   * than `maxDepth` nested containers is an error (64 mirrors msgpack-c's unpacker).
   */
  read(depth = 0): MpValue {
    const at = this.pos;
    const b = this.u8();
    if (b <= 0x7f) return { t: "int", v: BigInt(b) };
    if (b >= 0xe0) return { t: "int", v: BigInt(b - 0x100) };
    if ((b & 0xf0) === 0x80) return this.readMap(b & 0x0f, depth);
    if ((b & 0xf0) === 0x90) return this.readArr(b & 0x0f, depth);
    if ((b & 0xe0) === 0xa0) return { t: "str", b: this.take(b & 0x1f, "str") };
    switch (b) {
      case 0xc0: return { t: "nil" };
      case 0xc2: return { t: "bool", v: false };
      case 0xc3: return { t: "bool", v: true };
      case 0xc4: return { t: "bin", b: this.take(this.u8(), "bin") };
      case 0xc5: return { t: "bin", b: this.take(this.u16(), "bin") };
      case 0xc6: return { t: "bin", b: this.take(this.u32(), "bin") };
      case 0xc7: { const n = this.u8(); return this.readExt(n); }
      case 0xc8: { const n = this.u16(); return this.readExt(n); }
      case 0xc9: { const n = this.u32(); return this.readExt(n); }
      case 0xca: { this.need(4, "float32"); const v = this.view.getFloat32(this.pos); this.pos += 4; return { t: "float", v, bits: 32 }; }
      case 0xcb: { this.need(8, "float64"); const v = this.view.getFloat64(this.pos); this.pos += 8; return { t: "float", v, bits: 64 }; }
      case 0xcc: return { t: "int", v: BigInt(this.u8()) };
      case 0xcd: return { t: "int", v: BigInt(this.u16()) };
      case 0xce: return { t: "int", v: BigInt(this.u32()) };
      case 0xcf: { this.need(8, "uint64"); const v = this.view.getBigUint64(this.pos); this.pos += 8; return { t: "int", v }; }
      case 0xd0: { this.need(1, "int8"); const v = this.view.getInt8(this.pos); this.pos += 1; return { t: "int", v: BigInt(v) }; }
      case 0xd1: { this.need(2, "int16"); const v = this.view.getInt16(this.pos); this.pos += 2; return { t: "int", v: BigInt(v) }; }
      case 0xd2: { this.need(4, "int32"); const v = this.view.getInt32(this.pos); this.pos += 4; return { t: "int", v: BigInt(v) }; }
      case 0xd3: { this.need(8, "int64"); const v = this.view.getBigInt64(this.pos); this.pos += 8; return { t: "int", v }; }
      case 0xd4: return this.readExt(1);
      case 0xd5: return this.readExt(2);
      case 0xd6: return this.readExt(4);
      case 0xd7: return this.readExt(8);
      case 0xd8: return this.readExt(16);
      case 0xd9: return { t: "str", b: this.take(this.u8(), "str") };
      case 0xda: return { t: "str", b: this.take(this.u16(), "str") };
      case 0xdb: return { t: "str", b: this.take(this.u32(), "str") };
      case 0xdc: return this.readArr(this.u16(), depth);
      case 0xdd: return this.readArr(this.u32(), depth);
      case 0xde: return this.readMap(this.u16(), depth);
      case 0xdf: return this.readMap(this.u32(), depth);
    }
    throw new MsgpackError(`invalid type byte 0x${b.toString(16)} (never used by msgpack)`, at);
  }

  private readExt(n: number): MpValue {
    this.need(1, "ext type");
    const type = this.view.getInt8(this.pos++);
    return { t: "ext", type, b: this.take(n, "ext data") };
  }
  private nest(depth: number): void {
    if (depth + 1 > this.maxDepth) throw new MsgpackError(`more than ${this.maxDepth} nested containers`, this.pos);
  }
  private readArr(n: number, depth: number): MpValue {
    this.nest(depth);
    const items: MpValue[] = [];
    for (let i = 0; i < n; i++) items.push(this.read(depth + 1));
    return { t: "arr", items };
  }
  private readMap(n: number, depth: number): MpValue {
    this.nest(depth);
    const entries: [MpValue, MpValue][] = [];
    for (let i = 0; i < n; i++) {
      const k = this.read(depth + 1);
      entries.push([k, this.read(depth + 1)]);
    }
    return { t: "map", entries };
  }

  /** Reads an array header if one is next (else leaves the cursor) and returns its length. */
  arrayHeader(): number | undefined {
    if (this.pos >= this.end) return undefined;
    const b = this.bytes[this.pos];
    if ((b & 0xf0) === 0x90) { this.pos++; return b & 0x0f; }
    if (b === 0xdc) { this.pos++; return this.u16(); }
    if (b === 0xdd) { this.pos++; return this.u32(); }
    return undefined;
  }

  /** Passes one value (checked as read() checks it, `depth` containers around it) and returns its byte span. */
  skip(depth = 0): [number, number] {
    const start = this.pos;
    this.read(depth);
    return [start, this.pos];
  }
}

export function decode(bytes: Uint8Array, maxDepth?: number): MpValue {
  const r = new MpReader(bytes, 0, bytes.length, maxDepth);
  const v = r.read();
  if (!r.done) throw new MsgpackError("trailing bytes after the value", r.pos);
  return v;
}

/** A growable byte buffer. */
export class ByteSink {
  protected buf = new Uint8Array(256);
  protected view = new DataView(this.buf.buffer);
  length = 0;

  protected room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): this { this.room(1); this.buf[this.length++] = b; return this; }
  bytes(b: Uint8Array): this { this.room(b.length); this.buf.set(b, this.length); this.length += b.length; return this; }
  finish(): Uint8Array { return this.buf.slice(0, this.length); }
}

/** msgpack-c's canonical (smallest) encodings. */
export class MpWriter extends ByteSink {
  private be16(v: number): void { this.room(2); this.view.setUint16(this.length, v); this.length += 2; }
  private be32(v: number): void { this.room(4); this.view.setUint32(this.length, v); this.length += 4; }

  nil(): this { return this.byte(0xc0); }
  bool(v: boolean): this { return this.byte(v ? 0xc3 : 0xc2); }
  int(v: bigint): this {
    if (v >= 0n) {
      if (v <= 0x7fn) return this.byte(Number(v));
      if (v <= 0xffn) return this.byte(0xcc).byte(Number(v));
      if (v <= 0xffffn) { this.byte(0xcd); this.be16(Number(v)); return this; }
      if (v <= 0xffffffffn) { this.byte(0xce); this.be32(Number(v)); return this; }
      this.byte(0xcf); this.room(8); this.view.setBigUint64(this.length, BigInt.asUintN(64, v)); this.length += 8; return this;
    }
    if (v >= -32n) return this.byte(Number(v) & 0xff);
    if (v >= -128n) return this.byte(0xd0).byte(Number(v) & 0xff);
    if (v >= -32768n) { this.byte(0xd1); this.be16(Number(v) & 0xffff); return this; }
    if (v >= -2147483648n) { this.byte(0xd2); this.be32(Number(v) >>> 0); return this; }
    this.byte(0xd3); this.room(8); this.view.setBigInt64(this.length, BigInt.asIntN(64, v)); this.length += 8; return this;
  }
  f64(v: number): this { this.byte(0xcb); this.room(8); this.view.setFloat64(this.length, v); this.length += 8; return this; }
  f32(v: number): this { this.byte(0xca); this.room(4); this.view.setFloat32(this.length, v); this.length += 4; return this; }
  strHeader(n: number): this {
    if (n <= 31) return this.byte(0xa0 | n);
    if (n <= 0xff) return this.byte(0xd9).byte(n);
    if (n <= 0xffff) { this.byte(0xda); this.be16(n); return this; }
    this.byte(0xdb); this.be32(n); return this;
  }
  str(b: Uint8Array | string): this {
    const bytes = typeof b === "string" ? utf8.encode(b) : b;
    return this.strHeader(bytes.length).bytes(bytes);
  }
  bin(b: Uint8Array): this {
    if (b.length <= 0xff) this.byte(0xc4).byte(b.length);
    else if (b.length <= 0xffff) { this.byte(0xc5); this.be16(b.length); }
    else { this.byte(0xc6); this.be32(b.length); }
    return this.bytes(b);
  }
  arrHeader(n: number): this {
    if (n <= 15) return this.byte(0x90 | n);
    if (n <= 0xffff) { this.byte(0xdc); this.be16(n); return this; }
    this.byte(0xdd); this.be32(n); return this;
  }
  /** array32 header whatever the size, as Fluent Bit v2's event encoder writes it. */
  arr32Header(n: number): this { this.byte(0xdd); this.be32(n); return this; }
  mapHeader(n: number): this {
    if (n <= 15) return this.byte(0x80 | n);
    if (n <= 0xffff) { this.byte(0xde); this.be16(n); return this; }
    this.byte(0xdf); this.be32(n); return this;
  }
  ext(type: number, b: Uint8Array): this {
    const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
    if (fixed[b.length] !== undefined) this.byte(fixed[b.length]);
    else if (b.length <= 0xff) this.byte(0xc7).byte(b.length);
    else if (b.length <= 0xffff) { this.byte(0xc8); this.be16(b.length); }
    else { this.byte(0xc9); this.be32(b.length); }
    return this.byte(type & 0xff).bytes(b);
  }
  value(v: MpValue): this {
    switch (v.t) {
      case "nil": return this.nil();
      case "bool": return this.bool(v.v);
      case "int": return this.int(v.v);
      case "float": return v.bits === 32 ? this.f32(v.v) : this.f64(v.v);
      case "str": return this.str(v.b);
      case "bin": return this.bin(v.b);
      case "ext": return this.ext(v.type, v.b);
      case "arr": this.arrHeader(v.items.length); for (const i of v.items) this.value(i); return this;
      case "map": this.mapHeader(v.entries.length); for (const [k, x] of v.entries) { this.value(k); this.value(x); } return this;
    }
  }
}

export function encode(v: MpValue): Uint8Array {
  return new MpWriter().value(v).finish();
}

const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** Text of a str value when it is valid UTF-8, else undefined. */
export function strText(b: Uint8Array): string | undefined {
  try { return textDecoder.decode(b); } catch { return undefined; }
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}
export function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, "hex"));
}

/** Plain JavaScript view (for tests and readable output); lossless wrappers where JSON is not. */
export function toView(v: MpValue): unknown {
  switch (v.t) {
    case "nil": return null;
    case "bool": return v.v;
    case "int": return v.v >= -(2n ** 53n) && v.v <= 2n ** 53n ? Number(v.v) : { $int: v.v.toString() };
    case "float": return v.bits === 32 ? { $f32: numView(v.v) } : Number.isFinite(v.v) && !Object.is(v.v, -0) && !Number.isInteger(v.v) ? v.v : { $f64: numView(v.v) };
    case "str": { const s = strText(v.b); return s === undefined ? { $str_hex: hex(v.b) } : s; }
    case "bin": return { $bin: hex(v.b) };
    case "ext": return { $ext: v.type, hex: hex(v.b) };
    case "arr": return v.items.map(toView);
    case "map": {
      const keys = v.entries.map(([k]) => (k.t === "str" ? strText(k.b) : undefined));
      if (keys.some((k) => k === undefined) || new Set(keys).size !== keys.length) return { $map: v.entries.map(([k, x]) => [toView(k), toView(x)]) };
      return Object.fromEntries(v.entries.map(([, x], i) => [keys[i] as string, toView(x)]));
    }
  }
}
function numView(n: number): number | string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  if (Object.is(n, -0)) return "-0";
  return n;
}

/** Looks up a string key in a map value. */
export function mapGet(v: MpValue, key: string): MpValue | undefined {
  if (v.t !== "map") return undefined;
  const want = utf8.encode(key);
  for (let i = v.entries.length - 1; i >= 0; i--) {
    const [k, x] = v.entries[i];
    if (k.t === "str" && k.b.length === want.length && k.b.every((c, j) => c === want[j])) return x;
  }
  return undefined;
}
export function asText(v: MpValue | undefined): string | undefined {
  return v && v.t === "str" ? strText(v.b) : undefined;
}

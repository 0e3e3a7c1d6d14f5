/**
 * The JSON text Fluent Bit hands a filter in `event_format json`: its msgpack-to-JSON writer,
 * byte for byte, including the invalid JSON it produces (docs/fluent-bit-facts.md, "The JSON
 * text a filter receives"; tests/conformance/ pins it).
 */
import { ByteSink, MpValue } from "./msgpack.ts";

export interface JsonOutOptions {
  /** "v2": Fluent Bit before 5.0 (measured on v2.1.8); "v5": 5.0 and later (measured on v5.1.1). */
  dialect: "v2" | "v5";
  /** `json.escape_unicode` (v5 only, default on). */
  escapeUnicode: boolean;
  /** `json.convert_nan_to_null`. */
  nanToNull: boolean;
}

/** The JSON text being written. */
class Sink extends ByteSink {
  ascii(s: string): void { this.room(s.length); for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i); }
  utf8(cp: number): void {
    if (cp < 0x80) this.byte(cp);
    else if (cp < 0x800) this.byte(0xc0 | (cp >> 6)).byte(0x80 | (cp & 63));
    else if (cp < 0x10000) this.byte(0xe0 | (cp >> 12)).byte(0x80 | ((cp >> 6) & 63)).byte(0x80 | (cp & 63));
    else this.byte(0xf0 | (cp >> 18)).byte(0x80 | ((cp >> 12) & 63)).byte(0x80 | ((cp >> 6) & 63)).byte(0x80 | (cp & 63));
  }
}

const hex4 = (n: number) => n.toString(16).padStart(4, "0");

/** Escapes of bytes below 0x80, common to every version. */
function writeAscii(out: Sink, c: number): void {
  switch (c) {
    case 0x22: out.ascii('\\"'); return;
    case 0x5c: out.ascii("\\\\"); return;
    case 0x08: out.ascii("\\b"); return;
    case 0x09: out.ascii("\\t"); return;
    case 0x0a: out.ascii("\\n"); return;
    case 0x0c: out.ascii("\\f"); return;
    case 0x0d: out.ascii("\\r"); return;
  }
  if (c < 0x20 || c === 0x7f) out.ascii("\\u" + hex4(c));
  else out.byte(c);
}

/** Sequence length declared by a lead byte (ConvertUTF's trailing-bytes table plus one). */
function declaredLength(b: number): number {
  if (b < 0xc0) return 1;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  if (b < 0xf8) return 4;
  if (b < 0xfc) return 5;
  return 6;
}

const PUA = 0xe000;

function writeCodePoint(out: Sink, cp: number, o: JsonOutOptions): void {
  if (cp < 0x80) { writeAscii(out, cp); return; }
  if (o.dialect === "v5" && o.escapeUnicode) {
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      out.ascii("\\u" + hex4(0xd800 + (v >> 10)) + "\\u" + hex4(0xdc00 + (v & 0x3ff)));
    } else out.ascii("\\u" + hex4(cp));
    return;
  }
  out.utf8(cp);
}

/** A well-formed sequence at `i` (the rule of v5 with escape_unicode off): its length, or 0. */
function wellFormedLength(b: Uint8Array, i: number): number {
  const len = declaredLength(b[i]);
  if (len < 2 || len > 4 || i + len > b.length) return 0;
  let cp = len === 2 ? b[i] & 0x1f : len === 3 ? b[i] & 0x0f : b[i] & 0x07;
  for (let k = 1; k < len; k++) {
    if ((b[i + k] & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (b[i + k] & 0x3f);
  }
  const overlong = (len === 2 && cp < 0x80) || (len === 3 && cp < 0x800) || (len === 4 && cp < 0x10000);
  return cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) && !overlong ? len : 0;
}

/**
 * The 0x7f bytes v5 copies raw. Its string writer (flb_utils_write_str_escaped and _raw in
 * src/flb_utils.c) skips 16 bytes at a time while a block holds no control byte, quote, backslash
 * or byte above 0x7f, and copies such blocks as they are; then it takes up to 16 characters one
 * by one, escaping each, before it tries blocks again. 0x7f passes the block test, so it is
 * escaped (`\u007f`) only where it falls among the characters taken one by one.
 */
function rawDeletes(b: Uint8Array, escapeUnicode: boolean): Set<number> {
  const raw = new Set<number>();
  const clean = (at: number) => {
    for (let k = at; k < at + 16; k++) { const c = b[k]; if (c <= 0x1f || c >= 0x80 || c === 0x22 || c === 0x5c) return false; }
    return true;
  };
  let i = 0;
  outer: for (;;) {
    for (; i + 16 <= b.length && clean(i); i += 16) for (let k = i; k < i + 16; k++) if (b[k] === 0x7f) raw.add(k);
    for (let step = 0; step < 16; step++) {
      if (i >= b.length) break outer;
      const c = b[i];
      if (c < 0x80) { i++; continue; }
      if (!escapeUnicode) { i += wellFormedLength(b, i) || 1; continue; }
      const len = declaredLength(c);
      if (i + len > b.length) { i++; continue outer; } // the lead byte is dropped and the 16 end
      let k = 1;
      while (k < len && (b[i + k] & 0xc0) === 0x80) k++;
      if (len === 1 || k < len) {
        // An invalid sequence: its bytes as private-use characters, and the count of characters
        // restarts from their number (the C code reuses its loop counter there).
        const n = len === 1 ? 1 : k;
        i += n;
        step = n;
        continue;
      }
      i += len;
    }
  }
  return raw;
}

function writeStringBody(out: Sink, b: Uint8Array, o: JsonOutOptions): void {
  const rawDel = o.dialect === "v5" && b.includes(0x7f) ? rawDeletes(b, o.escapeUnicode) : undefined;
  let i = 0;
  while (i < b.length) {
    // Fast path: a run of printable ASCII that needs no escape.
    let j = i;
    while (j < b.length && b[j] >= 0x20 && b[j] < 0x7f && b[j] !== 0x22 && b[j] !== 0x5c) j++;
    if (j > i) { out.bytes(b.subarray(i, j)); i = j; continue; }
    const c = b[i];
    if (c === 0x7f && rawDel?.has(i)) { out.byte(c); i++; continue; }
    if (c < 0x80) { writeAscii(out, c); i++; continue; }
    const len = declaredLength(c);
    if (i + len > b.length) {
      // A lead byte whose sequence runs past the end: v5 (escape on) drops that byte,
      // v2 loses everything after it, v5 (escape off) replaces the byte.
      if (o.dialect === "v2") return;
      if (o.escapeUnicode) { i++; continue; }
      out.utf8(0xfffd); i++; continue;
    }
    let contOk = len > 1;
    for (let k = 1; k < len && contOk; k++) contOk = (b[i + k] & 0xc0) === 0x80;
    if (!contOk) {
      if (o.dialect === "v5" && !o.escapeUnicode) out.utf8(0xfffd);
      else out.utf8(PUA + c);
      i++;
      continue;
    }
    if (o.dialect === "v2") {
      // v2 copies any well-formed-looking sequence raw: overlong, surrogate, beyond U+10FFFF.
      for (let k = 0; k < len; k++) out.byte(b[i + k]);
      i += len;
      continue;
    }
    let cp = len === 2 ? c & 0x1f : len === 3 ? c & 0x0f : len === 4 ? c & 0x07 : 0;
    for (let k = 1; k < len; k++) cp = (cp << 6) | (b[i + k] & 0x3f);
    const valid = len <= 4 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    const overlong = (len === 2 && cp < 0x80) || (len === 3 && cp < 0x800) || (len === 4 && cp < 0x10000);
    if (valid && (o.escapeUnicode || !overlong)) {
      writeCodePoint(out, cp, o); // v5 escape on decodes overlong forms as if valid
      i += len;
    } else {
      out.utf8(o.escapeUnicode ? PUA + c : 0xfffd);
      i++;
    }
  }
}

/** C's `%.16g`. */
export function formatG16(v: number): string {
  let s = v.toExponential(15); // d.ddddddddddddddde±x: 16 significant digits
  const m = /^(-?)(\d)\.(\d+)e([+-]\d+)$/.exec(s)!;
  const exp = Number(m[4]);
  const digits = (m[2] + m[3]).replace(/0+$/, "") || "0";
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${m[1]}${mant}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    s = frac ? `${int}.${frac}` : int;
  } else s = "0." + "0".repeat(-exp - 1) + digits;
  return m[1] + s;
}

/** Fluent Bit prints a float with `%.1f` when it equals its `long long` conversion, else `%.16g`. */
export function formatFloat(v: number, o: JsonOutOptions): string {
  if (Number.isNaN(v)) return o.nanToNull ? "null" : "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  const asLongLong = v >= -(2 ** 63) && v < 2 ** 63 ? Math.trunc(v) : -(2 ** 63);
  if (asLongLong === v) {
    if (Object.is(v, -0)) return "-0.0";
    return BigInt(v).toString() + ".0";
  }
  return formatG16(v);
}

function writeValue(out: Sink, v: MpValue, o: JsonOutOptions): void {
  switch (v.t) {
    case "nil": out.ascii("null"); return;
    case "bool": out.ascii(v.v ? "true" : "false"); return;
    case "int": out.ascii(v.v.toString()); return;
    case "float": out.ascii(formatFloat(v.v, o)); return;
    case "str":
    case "bin":
      out.byte(0x22); writeStringBody(out, v.b, o); out.byte(0x22); return;
    case "ext":
      // Each byte as `\x%02x` of a signed char: invalid JSON, sign-extended above 0x7f.
      out.byte(0x22);
      for (const b of v.b) out.ascii("\\x" + (b >= 0x80 ? (0xffffff00 | b) >>> 0 : b).toString(16).padStart(2, "0"));
      out.byte(0x22);
      return;
    case "arr":
      out.byte(0x5b);
      v.items.forEach((x, i) => { if (i) out.byte(0x2c); writeValue(out, x, o); });
      out.byte(0x5d);
      return;
    case "map": {
      // Duplicate string keys: only the last occurrence is kept, at its own position.
      const last = new Map<string, number>();
      v.entries.forEach(([k], i) => { if (k.t === "str") last.set(Buffer.from(k.b).toString("latin1"), i); });
      const kept = v.entries.filter(([k], i) => k.t !== "str" || last.get(Buffer.from(k.b).toString("latin1")) === i);
      out.byte(0x7b);
      kept.forEach(([k, x], i) => {
        if (i) out.byte(0x2c);
        writeValue(out, k, o); // non-string keys come out unquoted, as Fluent Bit prints them
        out.byte(0x3a);
        writeValue(out, x, o);
      });
      out.byte(0x7d);
      return;
    }
  }
}

export function fluentBitJson(body: MpValue, o: JsonOutOptions): Uint8Array {
  const out = new Sink();
  writeValue(out, body, o);
  return out.finish();
}

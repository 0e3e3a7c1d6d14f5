/**
 * How Fluent Bit turns the text a filter returns into msgpack (docs/fluent-bit-facts.md, "The
 * text a filter returns"; tests/conformance/json-output.*.json pin it): v5 reads with yyjson (strict, with holes), v2 with jsmn in strict mode (lax and lossy).
 * Both return the packed bytes of every value they accept; the caller checks the root type.
 */
import { MpWriter } from "./msgpack.ts";

export type PackResult =
  | { ok: true; bytes: Uint8Array; rootIsMap: boolean }
  | { ok: false; reason: string };

// ---------------------------------------------------------------- v5: yyjson-like strict reader

class StrictReader {
  pos = 0;
  constructor(readonly s: Uint8Array, readonly w: MpWriter) {}

  fail(why: string): never { throw new SyntaxError(`${why} at ${this.pos}`); }
  ws(): void {
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  /** Parses one value iteratively (deep input must not exhaust the JS stack). */
  value(): void {
    type Frame = { isMap: boolean; count: number; headerAt: number; items: MpWriter };
    const stack: Frame[] = [];
    let out = this.w;
    for (;;) {
      this.ws();
      const c = this.s[this.pos];
      let closed = false;
      if (c === 0x7b || c === 0x5b) {
        this.pos++;
        stack.push({ isMap: c === 0x7b, count: 0, headerAt: 0, items: new MpWriter() });
        out = stack[stack.length - 1].items;
        this.ws();
        const close = c === 0x7b ? 0x7d : 0x5d;
        if (this.s[this.pos] === close) { this.pos++; closed = true; }
        else if (c === 0x7b) { this.key(out); continue; }
        else continue;
      } else if (c === 0x22) this.string(out);
      else if (c === 0x74) this.literal("true", () => out.bool(true));
      else if (c === 0x66) this.literal("false", () => out.bool(false));
      else if (c === 0x6e) this.literal("null", () => out.nil());
      else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.number(out);
      else this.fail("unexpected character");

      // After a value (or an empty container): close containers or expect a separator.
      for (;;) {
        if (closed) {
          const f = stack.pop()!;
          const parent = stack.length ? stack[stack.length - 1].items : this.w;
          if (f.isMap) parent.mapHeader(f.count); else parent.arrHeader(f.count);
          parent.bytes(f.items.finish());
          out = parent;
          closed = false;
          if (stack.length) stack[stack.length - 1].count++;
        } else if (stack.length) stack[stack.length - 1].count++;
        if (!stack.length) return;
        const top = stack[stack.length - 1];
        this.ws();
        const d = this.s[this.pos];
        if (d === 0x2c) {
          this.pos++;
          if (top.isMap) { this.ws(); this.key(out); }
          break;
        }
        if (d === (top.isMap ? 0x7d : 0x5d)) { this.pos++; closed = true; continue; }
        this.fail("expected , or close");
      }
    }
  }

  key(out: MpWriter): void {
    this.ws();
    if (this.s[this.pos] !== 0x22) this.fail("expected a string key");
    this.string(out);
    this.ws();
    if (this.s[this.pos] !== 0x3a) this.fail("expected :");
    this.pos++;
  }

  literal(word: string, emit: () => void): void {
    for (let i = 0; i < word.length; i++) if (this.s[this.pos + i] !== word.charCodeAt(i)) this.fail("invalid literal");
    this.pos += word.length;
    emit();
  }

  number(out: MpWriter): void {
    const start = this.pos;
    if (this.s[this.pos] === 0x2d) this.pos++;
    const digit = () => this.s[this.pos] >= 0x30 && this.s[this.pos] <= 0x39;
    if (!digit()) this.fail("no digits");
    if (this.s[this.pos] === 0x30) { this.pos++; if (digit()) this.fail("leading zero"); }
    else while (digit()) this.pos++;
    let isReal = false;
    if (this.s[this.pos] === 0x2e) {
      isReal = true; this.pos++;
      if (!digit()) this.fail("no fraction digits");
      while (digit()) this.pos++;
    }
    if (this.s[this.pos] === 0x65 || this.s[this.pos] === 0x45) {
      isReal = true; this.pos++;
      if (this.s[this.pos] === 0x2b || this.s[this.pos] === 0x2d) this.pos++;
      if (!digit()) this.fail("no exponent digits");
      while (digit()) this.pos++;
    }
    const text = Buffer.from(this.s.subarray(start, this.pos)).toString("latin1");
    if (!isReal) {
      const n = BigInt(text);
      if (n >= -(2n ** 63n) && n < 2n ** 64n) { out.int(n); return; }
    }
    const f = Number(text);
    if (!Number.isFinite(f)) this.fail("number overflow");
    out.f64(f);
  }

  string(out: MpWriter): void {
    this.pos++;
    const chunks: Uint8Array[] = [];
    let bytes: number[] = [];
    const flush = () => { if (bytes.length) { chunks.push(Uint8Array.from(bytes)); bytes = []; } };
    const push = (cp: number) => {
      if (cp < 0x80) bytes.push(cp);
      else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
      else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
      else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    };
    const hex4 = (at: number): number => {
      let v = 0;
      for (let i = 0; i < 4; i++) {
        const c = this.s[at + i];
        const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
      }
      return v;
    };
    for (;;) {
      if (this.pos >= this.s.length) this.fail("unterminated string");
      // A run of plain bytes (raw control and invalid UTF-8 bytes are kept as they are).
      let j = this.pos;
      while (j < this.s.length && this.s[j] !== 0x22 && this.s[j] !== 0x5c) j++;
      if (j > this.pos) { flush(); chunks.push(this.s.subarray(this.pos, j)); this.pos = j; continue; }
      const c = this.s[this.pos];
      if (c === 0x22) { this.pos++; break; }
      const e = this.s[this.pos + 1];
      const simple: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };
      if (simple[e] !== undefined) { bytes.push(simple[e]); this.pos += 2; continue; }
      if (e !== 0x75) this.fail("invalid escape");
      const u = hex4(this.pos + 2);
      if (u < 0) { bytes.push(0x5c); this.pos++; continue; } // `\u12`: kept literally
      this.pos += 6;
      if (u >= 0xd800 && u <= 0xdbff && this.s[this.pos] === 0x5c && this.s[this.pos + 1] === 0x75) {
        const lo = hex4(this.pos + 2);
        if (lo >= 0xdc00 && lo <= 0xdfff) { this.pos += 6; push(0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00)); continue; }
      }
      push(u >= 0xd800 && u <= 0xdfff ? 0xfffd : u); // a lone surrogate becomes U+FFFD
    }
    flush();
    out.str(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  }
}

export function packJsonV5(text: Uint8Array): PackResult {
  const w = new MpWriter();
  const r = new StrictReader(text, w);
  try {
    r.ws();
    if (r.pos >= text.length) return { ok: true, bytes: new Uint8Array(), rootIsMap: false }; // no value: "ret: 0"
    const first = text[r.pos];
    r.value();
    // Text after the first value is ignored unless it is another JSON value, which is packed too.
    for (;;) {
      r.ws();
      if (r.pos >= text.length) break;
      const mark = r.pos;
      const extra = new MpWriter();
      const next = new StrictReader(text, extra);
      next.pos = mark;
      try { next.value(); } catch { break; }
      w.bytes(extra.finish());
      r.pos = next.pos;
    }
    return { ok: true, bytes: w.finish(), rootIsMap: first === 0x7b };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

// ---------------------------------------------------------------- v2: jsmn (strict mode) + tokens_to_msgpack

const enum Tok { Object = 1, Array = 2, String = 3, Primitive = 4 }
interface Token { type: Tok; start: number; end: number; size: number; parent: number }

function jsmnParse(js: Uint8Array): Token[] | string {
  const toks: Token[] = [];
  let toksuper = -1;
  const len = js.length;
  let pos = 0;
  for (; pos < len && js[pos] !== 0; pos++) {
    const c = js[pos];
    switch (c) {
      case 0x7b: case 0x5b: {
        const tok: Token = { type: c === 0x7b ? Tok.Object : Tok.Array, start: pos, end: -1, size: 0, parent: toksuper };
        if (toksuper !== -1) {
          if (toks[toksuper].type === Tok.Object) return "object or array as a key";
          toks[toksuper].size++;
        }
        toks.push(tok);
        toksuper = toks.length - 1;
        break;
      }
      case 0x7d: case 0x5d: {
        const type = c === 0x7d ? Tok.Object : Tok.Array;
        let i = toks.length - 1;
        for (; i >= 0; i--) {
          const t = toks[i];
          if (t.start !== -1 && t.end === -1) {
            if (t.type !== type) return "mismatched close";
            toksuper = -1;
            t.end = pos + 1;
            break;
          }
        }
        if (i === -1) return "unmatched close";
        for (; i >= 0; i--) {
          const t = toks[i];
          if (t.start !== -1 && t.end === -1) { toksuper = i; break; }
        }
        break;
      }
      case 0x22: {
        const start = pos;
        pos++;
        let done = false;
        for (; pos < len && js[pos] !== 0; pos++) {
          const d = js[pos];
          if (d === 0x22) { done = true; break; }
          if (d === 0x5c && pos + 1 < len) {
            pos++;
            const e = js[pos];
            if ([0x22, 0x2f, 0x5c, 0x62, 0x66, 0x72, 0x6e, 0x74].includes(e)) continue;
            if (e === 0x75) {
              pos++;
              for (let k = 0; k < 4 && pos < len && js[pos] !== 0; k++) {
                const h = js[pos];
                const isHex = (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
                if (!isHex) return "invalid \\u escape";
                pos++;
              }
              pos--;
              continue;
            }
            return "invalid escape";
          }
        }
        if (!done) return "unterminated string";
        toks.push({ type: Tok.String, start: start + 1, end: pos, size: 0, parent: toksuper });
        if (toksuper !== -1) toks[toksuper].size++;
        break;
      }
      case 0x09: case 0x0d: case 0x0a: case 0x20:
        break;
      case 0x3a:
        toksuper = toks.length - 1;
        break;
      case 0x2c:
        if (toksuper !== -1 && toks[toksuper].type !== Tok.Array && toks[toksuper].type !== Tok.Object) {
          for (let i = toks.length - 1; i >= 0; i--) {
            const t = toks[i];
            if ((t.type === Tok.Array || t.type === Tok.Object) && t.start !== -1 && t.end === -1) { toksuper = i; break; }
          }
        }
        break;
      default: {
        const isStart = c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
        if (!isStart) return "unexpected character";
        if (toksuper !== -1) {
          const t = toks[toksuper];
          if (t.type === Tok.Object || (t.type === Tok.String && t.size !== 0)) return "primitive as a key";
        }
        const start = pos;
        let found = false;
        for (; pos < len && js[pos] !== 0; pos++) {
          const d = js[pos];
          if (d === 0x3a || d === 0x09 || d === 0x0d || d === 0x0a || d === 0x20 || d === 0x2c || d === 0x5d || d === 0x7d) { found = true; break; }
          if (d < 32 || d >= 127) return "invalid primitive character";
        }
        if (!found) return "primitive at end of input";
        toks.push({ type: Tok.Primitive, start, end: pos, size: 0, parent: toksuper });
        if (toksuper !== -1) toks[toksuper].size++;
        pos--;
      }
    }
  }
  for (let i = toks.length - 1; i >= 0; i--) if (toks[i].start !== -1 && toks[i].end === -1) return "unterminated object or array";
  return toks;
}

/** flb_unescape_string_utf8 as v2 ships it: \\u escapes encoded one by one (CESU-8 for pairs). */
function unescapeV2(js: Uint8Array, start: number, end: number): Uint8Array {
  const out: number[] = [];
  for (let i = start; i < end; i++) {
    const c = js[i];
    if (c !== 0x5c || i + 1 >= end) { out.push(c); continue; }
    const e = js[++i];
    const map: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };
    if (map[e] !== undefined) { out.push(map[e]); continue; }
    if (e === 0x75) {
      const cp = parseInt(Buffer.from(js.subarray(i + 1, i + 5)).toString("latin1"), 16);
      i += 4;
      if (cp < 0x80) out.push(cp);
      else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
      else out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
      continue;
    }
    out.push(e);
  }
  return Uint8Array.from(out);
}

/** atoll / strtoll: leading integer, saturating at the int64 limits. */
function atoll(text: string): bigint {
  const m = /^[ \t\n\r]*([+-]?\d+)/.exec(text);
  if (!m) return 0n;
  const n = BigInt(m[1]);
  if (n > 2n ** 63n - 1n) return 2n ** 63n - 1n;
  if (n < -(2n ** 63n)) return -(2n ** 63n);
  return n;
}

/** Fluent Bit v2's is_float(): a '.' anywhere, or an 'e' followed by '-'. */
function isFloatV2(text: string): boolean {
  return text.includes(".") || text.includes("e-");
}

export function packJsonV2(text: Uint8Array): PackResult {
  const toks = jsmnParse(text);
  if (typeof toks === "string") return { ok: false, reason: toks };
  if (toks.length === 0) return { ok: false, reason: "no tokens" };
  const w = new MpWriter();
  for (const t of toks) {
    switch (t.type) {
      case Tok.Object: w.mapHeader(t.size); break;
      case Tok.Array: w.arrHeader(t.size); break;
      case Tok.String: w.str(unescapeV2(text, t.start, t.end)); break;
      case Tok.Primitive: {
        const p = Buffer.from(text.subarray(t.start, t.end)).toString("latin1");
        if (p[0] === "f") w.bool(false);
        else if (p[0] === "t") w.bool(true);
        else if (p[0] === "n") w.nil();
        else if (isFloatV2(p)) { const f = parseFloat(p); w.f64(Number.isNaN(f) ? 0 : f); } // atof
        else w.int(atoll(p));
      }
    }
  }
  return { ok: true, bytes: w.finish(), rootIsMap: toks[0].type === Tok.Object };
}

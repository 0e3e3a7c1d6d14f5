/**
 * A deterministic cost model: rewrites a module so that it counts the WebAssembly instructions
 * it executes. Every straight-line segment (split after block/loop/if/else/end and every branch)
 * starts with `global.get $n; i64.const <segment length>; i64.add; global.set $n`, and the
 * counter is exported as `__instructions`. The same module and input give the same count on
 * every run and machine, which wall-clock time on a shared machine does not.
 * A second counter, `__bytes_moved`, adds up the sizes of every memory.copy and memory.fill: one
 * instruction each, but their cost grows with the bytes they move.
 */

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  u8(): number { return this.b[this.pos++]; }
  uleb(): number { let r = 0, s = 0, x: number; do { x = this.b[this.pos++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; }
  skipLeb(): void { while (this.b[this.pos++] & 0x80); }
  /** A length-prefixed name (read the length first: `pos += uleb()` would add to the old pos). */
  skipName(): void { const n = this.uleb(); this.pos += n; }
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do { let b = n % 128; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
function sleb(n: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && !(b & 0x40)) || (n === -1n && b & 0x40)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** Skips one instruction's immediates (opcode already read). */
function skipImmediates(r: Reader, op: number): void {
  if (op >= 0x28 && op <= 0x3e) { r.skipLeb(); r.skipLeb(); return; } // memarg
  switch (op) {
    case 0x02: case 0x03: case 0x04: { // blocktype
      const b = r.b[r.pos];
      if (b === 0x40 || (b >= 0x6f && b <= 0x7f)) r.pos++; else r.skipLeb();
      return;
    }
    case 0x0c: case 0x0d: case 0x10: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0xd2:
    case 0x41: case 0x42:
      r.skipLeb(); return;
    case 0x0e: { const n = r.uleb(); for (let i = 0; i <= n; i++) r.skipLeb(); return; }
    case 0x11: r.skipLeb(); r.skipLeb(); return;
    case 0x1c: { const n = r.uleb(); r.pos += n; return; }
    case 0x3f: case 0x40: case 0xd0: r.pos++; return;
    case 0x43: r.pos += 4; return;
    case 0x44: r.pos += 8; return;
    case 0xfc: {
      const sub = r.uleb();
      if (sub <= 7) return;
      if (sub === 8) { r.skipLeb(); r.pos++; return; }
      if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) { r.skipLeb(); return; }
      if (sub === 10) { r.pos += 2; return; }
      if (sub === 11) { r.pos++; return; }
      if (sub === 12 || sub === 14) { r.skipLeb(); r.skipLeb(); return; }
      throw new Error(`unknown 0xfc ${sub}`);
    }
    case 0xfd: throw new Error("SIMD is not expected in these modules");
  }
  // every other opcode has no immediates
}

const ENDS_SEGMENT = new Set([0x00, 0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]);

/**
 * `ignore`: a counter whose increments (from an earlier pass) are not counted. `bytes`: with
 * the function's parameter count, counts the sizes of memory.copy/fill into that global (through
 * one added local).
 */
function instrumentBody(body: Uint8Array, counter: number, ignore = -1, bytes?: { global: number; params: number }): number[] {
  const r = new Reader(body);
  const out: number[] = [];
  const groups = r.uleb();
  const entries = r.pos;
  let locals = 0;
  for (let i = 0; i < groups; i++) { locals += r.uleb(); r.pos++; }
  const tmp = bytes ? bytes.params + locals : -1;
  if (bytes) out.push(...uleb(groups + 1), ...body.subarray(entries, r.pos), 0x01, 0x7f); // one more i32 local
  else out.push(...body.subarray(0, r.pos));
  let segStart = r.pos, count = 0;
  const flush = (end: number) => {
    if (count) out.push(0x23, ...uleb(counter), 0x42, ...sleb(BigInt(count)), 0x7c, 0x24, ...uleb(counter));
    out.push(...body.subarray(segStart, end));
    segStart = end;
    count = 0;
  };
  let skip = 0;
  while (r.pos < body.length) {
    const at = r.pos;
    const op = r.u8();
    const sub = op === 0xfc ? new Reader(body.subarray(r.pos)).uleb() : -1;
    skipImmediates(r, op);
    if (bytes && (sub === 10 || sub === 11)) {
      // The size is on top of the stack: tee it, add it to the counter, leave the stack as it was.
      flush(at);
      out.push(0x22, ...uleb(tmp), 0x23, ...uleb(bytes.global), 0x20, ...uleb(tmp), 0xad, 0x7c, 0x24, ...uleb(bytes.global));
    }
    // An increment of the ignored counter: global.get, i64.const, i64.add, global.set.
    if (op === 0x23 && ignore >= 0 && new Reader(body.subarray(at + 1)).uleb() === ignore) skip = 4;
    if (skip > 0) { skip--; continue; }
    count++;
    if (ENDS_SEGMENT.has(op)) flush(r.pos);
  }
  flush(r.pos);
  return out;
}

/**
 * Counts into one exported global, `__instructions`; with `perFunction`, also one global per
 * function, exported as `__f<function index>` (for finding where the instructions go).
 */
export function instrument(wasm: Uint8Array, perFunction = false): Uint8Array {
  const r = new Reader(wasm);
  r.pos = 8;
  const sections: { id: number; data: Uint8Array }[] = [];
  while (r.pos < wasm.length) {
    const id = r.u8(), size = r.uleb();
    sections.push({ id, data: wasm.subarray(r.pos, r.pos + size) });
    r.pos += size;
  }
  let importedGlobals = 0;
  const imports = sections.find((s) => s.id === 2);
  if (imports) {
    const ir = new Reader(imports.data);
    for (let n = ir.uleb(); n > 0; n--) {
      ir.skipName(); ir.skipName();
      const kind = ir.u8();
      if (kind === 0) ir.skipLeb();
      else if (kind === 1) { ir.pos++; const f = ir.u8(); ir.skipLeb(); if (f & 1) ir.skipLeb(); }
      else if (kind === 2) { const f = ir.u8(); ir.skipLeb(); if (f & 1) ir.skipLeb(); }
      else { ir.pos += 2; importedGlobals++; }
    }
  }
  let globals = sections.find((s) => s.id === 6);
  if (!globals) {
    globals = { id: 6, data: Uint8Array.of(0) };
    const at = sections.findIndex((s) => s.id !== 0 && s.id > 6 && s.id !== 13);
    sections.splice(at < 0 ? sections.length : at, 0, globals);
  }
  let importedFuncs = 0;
  if (imports) {
    const ir = new Reader(imports.data);
    for (let n = ir.uleb(); n > 0; n--) {
      ir.skipName(); ir.skipName();
      const kind = ir.u8();
      if (kind === 0) { ir.skipLeb(); importedFuncs++; }
      else if (kind === 1) { ir.pos++; const f = ir.u8(); ir.skipLeb(); if (f & 1) ir.skipLeb(); }
      else if (kind === 2) { const f = ir.u8(); ir.skipLeb(); if (f & 1) ir.skipLeb(); }
      else ir.pos += 2;
    }
  }
  // Parameter counts of the module's own functions (the added local comes after them).
  const typeParams: number[] = [];
  const types = sections.find((s) => s.id === 1);
  if (types) {
    const tr = new Reader(types.data);
    for (let n = tr.uleb(); n > 0; n--) { tr.pos++; const np = tr.uleb(); typeParams.push(np); tr.pos += np; const nr = tr.uleb(); tr.pos += nr; }
  }
  const funcParams: number[] = [];
  const funcs = sections.find((s) => s.id === 3);
  if (funcs) { const fr = new Reader(funcs.data); for (let n = fr.uleb(); n > 0; n--) funcParams.push(typeParams[fr.uleb()]); }
  const code = sections.find((s) => s.id === 10)!;
  const cr = new Reader(code.data);
  const nFuncs = cr.uleb();
  const gr = new Reader(globals.data);
  const own = gr.uleb();
  const counter = importedGlobals + own;
  const bytesGlobal = counter + 1;
  const added = 2 + (perFunction ? nFuncs : 0);
  const newGlobals: number[] = [];
  for (let i = 0; i < added; i++) newGlobals.push(0x7e, 0x01, 0x42, 0x00, 0x0b);
  globals.data = Uint8Array.from([...uleb(own + added), ...globals.data.subarray(gr.pos), ...newGlobals]);
  const exports = sections.find((s) => s.id === 7)!;
  const er = new Reader(exports.data);
  const nExports = er.uleb();
  const extra: number[] = [];
  const exportGlobal = (n: string, idx: number) => { const b = Buffer.from(n); extra.push(...uleb(b.length), ...b, 0x03, ...uleb(idx)); };
  exportGlobal("__instructions", counter);
  exportGlobal("__bytes_moved", bytesGlobal);
  if (perFunction) for (let f = 0; f < nFuncs; f++) exportGlobal(`__f${importedFuncs + f}`, counter + 2 + f);
  exports.data = Uint8Array.from([...uleb(nExports + added), ...exports.data.subarray(er.pos), ...extra]);
  const out: number[] = [...uleb(nFuncs)];
  for (let f = 0; f < nFuncs; f++) {
    const size = cr.uleb();
    const source = code.data.subarray(cr.pos, cr.pos + size);
    // Per-function counts are for finding where instructions go: the byte counting is left out there.
    let body = instrumentBody(source, counter, -1, perFunction ? undefined : { global: bytesGlobal, params: funcParams[f] });
    if (perFunction) body = instrumentBody(Uint8Array.from(body), counter + 2 + f, counter);
    out.push(...uleb(body.length), ...body);
    cr.pos += size;
  }
  code.data = Uint8Array.from(out);
  // Joined as byte arrays: a section as spread arguments overflows the stack (a debug build's names).
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  for (const s of sections) parts.push(Uint8Array.from([s.id, ...uleb(s.data.length)]), s.data);
  return new Uint8Array(Buffer.concat(parts));
}

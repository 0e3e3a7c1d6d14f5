/**
 * Reads the function signatures of a module's imports and exports from its binary.
 * WAMR links and calls by signature; the JavaScript WebAssembly API does not expose them.
 */

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";
export interface FuncType { params: ValType[]; results: ValType[] }
export interface ImportEntry { module: string; name: string; kind: "func" | "table" | "memory" | "global"; type?: FuncType }
export interface ExportEntry { name: string; kind: "func" | "table" | "memory" | "global"; index: number; type?: FuncType }
export interface ModuleInfo { imports: ImportEntry[]; exports: ExportEntry[]; hasStart: boolean }

import { InputError } from "./input-error.ts";

const VAL: Record<number, ValType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };
const KIND = ["func", "table", "memory", "global"] as const;

export class NotWasmError extends InputError {}

export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new NotWasmError("not a WebAssembly module (no \\0asm magic)");
  }
  let pos = 8;
  const u8 = () => bytes[pos++];
  const leb = (): number => {
    let result = 0, shift = 0, b: number;
    do { b = bytes[pos++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return result;
  };
  const name = (): string => { const n = leb(); const s = Buffer.from(bytes.subarray(pos, pos + n)).toString("utf8"); pos += n; return s; };
  const limits = () => { const f = u8(); leb(); if (f & 1) leb(); };

  const types: FuncType[] = [];
  const imports: ImportEntry[] = [];
  const funcTypeIdx: number[] = []; // by function index, imports first
  const exports: ExportEntry[] = [];
  let hasStart = false;

  while (pos < bytes.length) {
    const id = u8();
    const size = leb();
    const end = pos + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        u8(); // 0x60
        const params = Array.from({ length: leb() }, () => VAL[u8()]);
        const results = Array.from({ length: leb() }, () => VAL[u8()]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        const module = name(), field = name(), kind = KIND[u8()];
        const entry: ImportEntry = { module, name: field, kind };
        if (kind === "func") { const t = leb(); entry.type = types[t]; funcTypeIdx.push(t); }
        else if (kind === "table") { u8(); limits(); }
        else if (kind === "memory") limits();
        else { u8(); u8(); }
        imports.push(entry);
      }
    } else if (id === 3) {
      for (let n = leb(); n > 0; n--) funcTypeIdx.push(leb());
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const field = name(), kind = KIND[u8()], index = leb();
        exports.push({ name: field, kind, index, type: kind === "func" ? types[funcTypeIdx[index]] : undefined });
      }
    } else if (id === 8) hasStart = true;
    pos = end;
  }
  return { imports, exports, hasStart };
}

export function signature(t: FuncType | undefined): string {
  return t ? `(${t.params.join(",")})->(${t.results.join(",")})` : "?";
}

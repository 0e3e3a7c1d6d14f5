/**
 * Import resolution as WAMR does it inside Fluent Bit: WASI preview 1 and the libc-builtin `env`
 * functions, each only with its real signature. Anything else loads with WAMR's warning and
 * traps when called.
 */
import { FuncType, ImportEntry, signature } from "./wasm-binary.ts";

/** libc-builtin functions and their WAMR signature strings (i: i32, I: i64, *, ~, $: i32 pointer/size/string). */
const LIBC_BUILTIN: Record<string, string> = {
  printf: "($*)i", sprintf: "($$*)i", snprintf: "(*~$*)i", vprintf: "($*)i", vsprintf: "($$*)i", vsnprintf: "(*~$*)i",
  puts: "($)i", putchar: "(i)i", memcmp: "(**~)i", memcpy: "(**~)i", memmove: "(**~)i", memset: "(*ii)i",
  strchr: "($i)i", strcmp: "($$)i", strcpy: "(*$)i", strlen: "($)i", strncmp: "(**~)i", strncpy: "(**~)i",
  malloc: "(i)i", realloc: "(ii)i", calloc: "(ii)i", strdup: "($)i", _strdup: "($)i", free: "(*)",
  atoi: "($)i", exit: "(i)", strtol: "($*i)i", strtoul: "($*i)i", memchr: "(*ii)i", strncasecmp: "($$i)i",
  strspn: "($$)i", strcspn: "($$)i", strstr: "($$)i", isupper: "(i)i", isalpha: "(i)i", isspace: "(i)i",
  isgraph: "(i)i", isprint: "(i)i", isdigit: "(i)i", isxdigit: "(i)i", tolower: "(i)i", toupper: "(i)i",
  isalnum: "(i)i", setTempRet0: "(i)", getTempRet0: "()i", llvm_bswap_i16: "(i)i", llvm_bswap_i32: "(i)i",
  bitshift64Lshr: "(iii)i", bitshift64Shl: "(iii)i", llvm_stackrestore: "(i)", llvm_stacksave: "()i",
  emscripten_memcpy_big: "(iii)i", abort: "(i)", abortStackOverflow: "(i)", nullFunc_X: "(i)",
  __cxa_allocate_exception: "(i)i", __cxa_begin_catch: "(i)", __cxa_throw: "(iii)", clock_gettime: "(i*)i", clock: "()I",
};

/** WASI preview 1 functions WAMR provides, as wasm signatures. */
const WASI: Record<string, string> = {
  args_get: "(i32,i32)->(i32)", args_sizes_get: "(i32,i32)->(i32)", environ_get: "(i32,i32)->(i32)",
  environ_sizes_get: "(i32,i32)->(i32)", clock_res_get: "(i32,i32)->(i32)", clock_time_get: "(i32,i64,i32)->(i32)",
  fd_close: "(i32)->(i32)", fd_fdstat_get: "(i32,i32)->(i32)", fd_seek: "(i32,i64,i32,i32)->(i32)",
  fd_write: "(i32,i32,i32,i32)->(i32)", fd_read: "(i32,i32,i32,i32)->(i32)", fd_prestat_get: "(i32,i32)->(i32)",
  fd_prestat_dir_name: "(i32,i32,i32)->(i32)", path_open: "(i32,i32,i32,i32,i32,i64,i64,i32,i32)->(i32)",
  proc_exit: "(i32)->()", random_get: "(i32,i32)->(i32)", sched_yield: "()->(i32)", poll_oneoff: "(i32,i32,i32,i32)->(i32)",
};

function libcToWasm(sig: string): string {
  const m = /^\((.*)\)(.?)$/.exec(sig)!;
  const cell = (c: string) => (c === "I" ? "i64" : c === "f" ? "f32" : c === "F" ? "f64" : "i32");
  const params = [...m[1]].map(cell).join(",");
  const result = m[2] ? cell(m[2]) : "";
  return `(${params})->(${result})`;
}

export class WasmTrap extends Error {}

/** A linked import the harness cannot run: a gap in the emulation, never a trap of the module. */
export class NotEmulatedError extends Error {}

export interface LinkContext {
  memory: () => WebAssembly.Memory;
  log: (line: string) => void;
  /** WAMR before 2.x (Fluent Bit 2.x) prints "(env abort)" in the signature warning. */
  oldWamrWording?: boolean;
}

const ERRNO_BADF = 8;
const ERRNO_NOSYS = 52;

function implementation(imp: ImportEntry, ctx: LinkContext): ((...a: never[]) => unknown) | undefined {
  const mem = () => new Uint8Array(ctx.memory().buffer);
  const dv = () => new DataView(ctx.memory().buffer);
  const cstr = (p: number) => { const m = mem(); let e = p; while (e < m.length && m[e]) e++; return m.subarray(p, e); };
  if (imp.module === "env") {
    switch (imp.name) {
      case "abort": return ((code: number) => { throw new WasmTrap(`env.abort(${code})`); }) as never;
      case "exit": return ((code: number) => { throw new WasmTrap(`env.exit(${code})`); }) as never;
      case "strlen": return ((p: number) => cstr(p).length) as never;
      case "memcpy": case "memmove": return ((d: number, s: number, n: number) => { mem().copyWithin(d, s, s + n); return d; }) as never;
      case "memset": return ((d: number, c: number, n: number) => { mem().fill(c & 0xff, d, d + n); return d; }) as never;
      case "memcmp": return ((a: number, b: number, n: number) => Buffer.compare(mem().subarray(a, a + n), mem().subarray(b, b + n))) as never;
      case "puts": return ((p: number) => { ctx.log(Buffer.from(cstr(p)).toString("utf8")); return 0; }) as never;
    }
    return () => { throw new NotEmulatedError(`the harness does not emulate libc-builtin env.${imp.name}; add it to harness/wamr-link.ts`); };
  }
  switch (imp.name) {
    case "proc_exit": return ((code: number) => { throw new WasmTrap(`wasi proc_exit(${code})`); }) as never;
    case "args_sizes_get": case "environ_sizes_get":
      return ((a: number, b: number) => { dv().setUint32(a, 0, true); dv().setUint32(b, 0, true); return 0; }) as never;
    case "args_get": case "environ_get": return (() => 0) as never;
    case "clock_time_get": return ((_id: number, _p: bigint, out: number) => { dv().setBigUint64(out, process.hrtime.bigint(), true); return 0; }) as never;
    case "random_get": return ((p: number, n: number) => { for (let i = 0; i < n; i++) mem()[p + i] = (Math.random() * 256) | 0; return 0; }) as never;
    case "fd_write": return ((fd: number, iovs: number, n: number, written: number) => {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      let total = 0;
      const parts: Buffer[] = [];
      for (let i = 0; i < n; i++) {
        const p = dv().getUint32(iovs + i * 8, true), len = dv().getUint32(iovs + i * 8 + 4, true);
        parts.push(Buffer.from(mem().subarray(p, p + len)));
        total += len;
      }
      ctx.log(Buffer.concat(parts).toString("utf8").replace(/\n$/, ""));
      dv().setUint32(written, total, true);
      return 0;
    }) as never;
    case "fd_close": case "fd_fdstat_get": case "fd_seek": case "fd_read": case "fd_prestat_get": case "fd_prestat_dir_name": return (() => ERRNO_BADF) as never;
    default: return (() => ERRNO_NOSYS) as never;
  }
}

/** Builds the import object and the warnings WAMR prints while linking. */
export function link(imports: ImportEntry[], ctx: LinkContext): { object: WebAssembly.Imports; warnings: string[]; unsupported: string[] } {
  const object: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  const warnings: string[] = [];
  const unsupported: string[] = [];
  for (const imp of imports) {
    if (imp.kind !== "func") { unsupported.push(`${imp.kind} import (${imp.module}, ${imp.name})`); continue; }
    const want = imp.module === "env" && LIBC_BUILTIN[imp.name] !== undefined ? libcToWasm(LIBC_BUILTIN[imp.name])
      : imp.module === "wasi_snapshot_preview1" ? WASI[imp.name] : undefined;
    const have = signature(imp.type as FuncType);
    let fn = want === have ? implementation(imp, ctx) : undefined;
    if (!fn) {
      if (want !== undefined && imp.module === "env") {
        const where = ctx.oldWamrWording ? `${imp.module} ${imp.name}` : `${imp.module}, ${imp.name}`;
        warnings.push(`[WAMR] failed to check signature '${LIBC_BUILTIN[imp.name]}' and resolve pointer params for import function (${where})`);
      }
      warnings.push(`[WAMR] warning: failed to link import function (${imp.module}, ${imp.name})`);
      fn = () => { throw new WasmTrap(`failed to call unlinked import function (${imp.module}, ${imp.name})`); };
    }
    (object[imp.module] ??= {})[imp.name] = fn as WebAssembly.ImportValue;
  }
  return { object, warnings, unsupported };
}

/**
 * One instance of a module as WAMR makes it: its imports linked (wamr-link.ts), its memory found,
 * and the allocator WAMR copies the tag and record with: the module's malloc/free, or
 * AssemblyScript's __new with __pin/__unpin (docs/fluent-bit-facts.md, "Memory").
 */
import { InputError } from "./input-error.ts";
import { link } from "./wamr-link.ts";
import { ModuleInfo, signature } from "./wasm-binary.ts";

export class StartupError extends InputError {
  constructor(message: string, readonly log: string[] = []) { super(message); }
}

export interface Instance {
  exports: Record<string, WebAssembly.ExportValue>;
  memory: WebAssembly.Memory;
  alloc: (n: number) => number;
  release: (p: number) => void;
}

function exportSig(info: ModuleInfo, name: string): string | undefined {
  const e = info.exports.find((x) => x.kind === "func" && x.name === name);
  return e ? signature(e.type) : undefined;
}

/** The allocator pair WAMR uses, or undefined when the module exports none (WAMR would insert its own heap). */
export function allocatorOf(info: ModuleInfo): "malloc" | "__new" | undefined {
  if (exportSig(info, "malloc") === "(i32)->(i32)" && exportSig(info, "free") === "(i32)->()") return "malloc";
  const pin = exportSig(info, "__pin") || exportSig(info, "__retain"), unpin = exportSig(info, "__unpin") || exportSig(info, "__release");
  return exportSig(info, "__new") === "(i32,i32)->(i32)" && pin && unpin ? "__new" : undefined;
}

export function instantiate(module: WebAssembly.Module, info: ModuleInfo, o: { oldWamrWording: boolean }, log: string[]): Instance {
  let memory: WebAssembly.Memory | undefined;
  const linked = link(info.imports, { memory: () => memory!, log: (l) => log.push(l), oldWamrWording: o.oldWamrWording });
  if (linked.unsupported.length) throw new StartupError(`WAMR cannot link ${linked.unsupported.join(", ")}`);
  log.push(...linked.warnings);
  const inst = new WebAssembly.Instance(module, linked.object);
  const ex = inst.exports;
  memory = Object.values(ex).find((x) => x instanceof WebAssembly.Memory) as WebAssembly.Memory;
  if (!memory) throw new StartupError("the module exports no memory");
  const f = (n: string) => ex[n] as ((...a: number[]) => number) | undefined;
  let alloc: (n: number) => number, release: (p: number) => void;
  if (allocatorOf(info) === "malloc") {
    alloc = (n) => f("malloc")!(n) >>> 0;
    release = (p) => void f("free")!(p);
  } else {
    const pin = f("__pin") ?? f("__retain")!, unpin = f("__unpin") ?? f("__release")!;
    alloc = (n) => { const p = f("__new")!(n, 0) >>> 0; if (p) pin(p); return p; };
    release = (p) => void unpin(p);
  }
  return { exports: ex, memory, alloc, release };
}

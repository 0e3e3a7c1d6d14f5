/**
 * Fluent Bit's `filter_wasm`, emulated: one `[FILTER] name wasm` section running a module the way
 * the selected Fluent Bit release does (docs/fluent-bit-facts.md, "filter_wasm"; the vectors in
 * tests/conformance/ pin it).
 */
import { readFileSync } from "node:fs";
import { Behaviour, behaviourFor } from "./versions.ts";
import { ExportEntry, ModuleInfo, NotWasmError, readModuleInfo } from "./wasm-binary.ts";
import { NotEmulatedError, WasmTrap } from "./wamr-link.ts";
import { FbEvent, encodeTime } from "./events.ts";
import { MpWriter, decode, encode } from "./msgpack.ts";
import { fluentBitJson } from "./fb-json-out.ts";
import { acceptResult } from "./wasm-result.ts";
import { ChunkView, readChunk } from "./chunk-reader.ts";
import { Instance, StartupError, allocatorOf, instantiate } from "./wasm-instance.ts";

/** The inputs the harness models (how Fluent Bit batches and threads the filter calls). */
export const INPUTS = ["tail", "forward", "forward-threaded", "dummy"] as const;
export type Input = (typeof INPUTS)[number];

export interface FilterOptions {
  /** Path of the module, or its bytes. */
  wasm: string | Uint8Array;
  functionName: string;
  eventFormat?: "json" | "msgpack";
  /** Fluent Bit release to emulate, e.g. "2.1.8"; default the newest measured. */
  fluentBitVersion?: string;
  /** `json.escape_unicode` (5.x only; default on). */
  escapeUnicode?: boolean;
  /** `json.convert_nan_to_null` (default off). */
  convertNanToNull?: boolean;
  /** Which input appends the records: with a persistent instance, a non-threaded `forward` input fails every call. */
  input?: Input;
  /** Filter instance name used in log lines. */
  name?: string;
}

/** The chunk after the filter (chunk-reader.ts), the records dropped and the log lines the calls wrote. */
export interface ChunkResult extends ChunkView {
  dropped: number;
  log: string[];
}

export { StartupError };

const DEBUG_SKIP = (name: string) => `[debug] [filter:wasm:${name}] encode as JSON from msgpack is broken. Skip.`;

/** Maps a V8 trap to the message WAMR gives the same trap. */
function wamrTrapMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (e instanceof WasmTrap) return m;
  if (/unreachable/.test(m)) return "unreachable";
  if (/memory access out of bounds|out of bounds/.test(m)) return "out of bounds memory access";
  if (/divide by zero|remainder by zero/.test(m)) return "integer divide by zero";
  if (/integer overflow/.test(m)) return "integer overflow";
  if (/call stack|stack overflow/i.test(m)) return "wasm operand stack overflow";
  if (/null function|signature mismatch/.test(m)) return "indirect call type mismatch";
  if (/WebAssembly\.Memory|grow/.test(m)) return "allocate memory failed";
  return m;
}

export class FilterWasm {
  readonly behaviour: Behaviour;
  readonly eventFormat: "json" | "msgpack";
  readonly startLog: string[] = [];
  private readonly module?: WebAssembly.Module;
  private readonly info?: ModuleInfo;
  private readonly fn?: ExportEntry;
  private persistent?: Instance;
  private poisoned = false;
  private readonly name: string;
  /** The filter passes records through unfiltered (v2 with a bad wasm_path). */
  private readonly inert: boolean = false;
  private inertLog: string[] = [];
  private readonly pathForLog: string;

  constructor(readonly opts: FilterOptions) {
    this.behaviour = behaviourFor(opts.fluentBitVersion);
    this.eventFormat = opts.eventFormat ?? "json";
    this.name = opts.name ?? "wasm.0";
    this.pathForLog = typeof opts.wasm === "string" ? opts.wasm : "<bytes>";
    if (this.eventFormat === "msgpack" && !this.behaviour.msgpackFormat) {
      throw new StartupError(`event_format msgpack needs Fluent Bit 3.0.0 or later (emulating ${this.behaviour.version})`);
    }
    let bytes: Uint8Array | undefined;
    let failure: "missing" | "not_wasm" | undefined;
    try {
      bytes = typeof opts.wasm === "string" ? readFileSync(opts.wasm) : opts.wasm;
      this.info = readModuleInfo(bytes);
      this.module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") failure = "missing";
      else if (e instanceof NotWasmError || e instanceof WebAssembly.CompileError) failure = "not_wasm";
      else throw e;
    }
    if (failure) {
      const notWasm = "[error] WASM bytecode or AOT object is expected but other file format";
      if (this.behaviour.badPathPassesThrough) {
        // v2 starts anyway and passes every record through, logging the failure per record.
        this.inert = true;
        this.inertLog = failure === "missing"
          ? [`[error] Open wasm file [${this.pathForLog}] failed.`, `[debug] [filter:wasm:${this.name}] instantiate wasm [${this.pathForLog}] failed`]
          : [notWasm, `[debug] [filter:wasm:${this.name}] instantiate wasm [${this.pathForLog}] failed`];
        return;
      }
      throw new StartupError(
        failure === "missing" ? `cannot access wasm program at ${this.pathForLog} (no such file)` : `${this.pathForLog} is not a WebAssembly module`,
        failure === "missing"
          ? [`[error] [filter:wasm:${this.name}] cannot access wasm program at ${this.pathForLog}`, `[error] Failed pre_run callback on filter ${this.name}`, "[error] [engine] filter initialization failed"]
          : [notWasm, `[error] [filter:wasm:${this.name}] failed to instantiate wasm program: ${this.pathForLog}`, `[error] Failed initialize filter ${this.name}`],
      );
    }
    this.fn = this.info!.exports.find((x) => x.kind === "func" && x.name === opts.functionName);
    if (!allocatorOf(this.info!)) {
      throw new StartupError("the module exports no allocator (malloc/free, or __new with __pin/__unpin): WAMR would insert its own heap into the module's linear memory, where the module's own allocator also lives, and the two would overwrite each other");
    }
    if (this.behaviour.persistentInstance) this.persistent = this.instantiate(this.startLog);
  }

  /** Linear memory of the instance that lives as long as the filter (4.1+), in 64 KiB pages. */
  memoryPages(): number | undefined {
    return this.persistent ? this.persistent.memory.buffer.byteLength / 65536 : undefined;
  }

  private instantiate(log: string[]): Instance {
    return instantiate(this.module!, this.info!, { oldWamrWording: this.behaviour.json === "v2" }, log);
  }

  /**
   * One filter call: the records one input append hands the filter chain. Before 4.1.0 each
   * call gets a fresh instance; from 4.1.0 one instance lives as long as the filter.
   */
  filterChunk(events: FbEvent[]): ChunkResult {
    const log: string[] = [];
    const w = new MpWriter();
    let dropped = 0;
    // Before 4.1 every filter call (input append) gets a fresh instance; in_forward appends
    // record by record, so there each record gets its own.
    const perRecord = !this.behaviour.persistentInstance && (this.opts.input === "forward" || this.opts.input === "forward-threaded");
    let instance = this.inert || perRecord ? undefined : this.persistent ?? this.instantiate(log);
    for (const ev of events) {
      if (perRecord && !this.inert) instance = this.instantiate(log);
      if (ev.group && this.behaviour.groupsUntouched) { this.appendEvent(w, ev, ev.body); continue; }
      if (this.inert) {
        log.push(...this.inertLog);
        this.appendEvent(w, ev, ev.body);
        continue;
      }
      const body = this.callOne(instance!, ev, log);
      if (body === undefined) { dropped++; continue; }
      this.appendEvent(w, ev, body);
    }
    return { ...readChunk(w.finish(), events[0]?.tag ?? "", { count: this.behaviour.chunkDepthLimit, decode: this.behaviour.decodeDepthLimit }), dropped, log };
  }

  private appendEvent(w: MpWriter, ev: FbEvent, body: Uint8Array): void {
    if (this.behaviour.eventHeader === "array32") { w.arr32Header(2); w.arr32Header(2); } else { w.arrHeader(2); w.arrHeader(2); }
    encodeTime(w, { ...ev, timeKind: ev.group ? ev.timeKind : "eventtime" });
    w.bytes(ev.meta);
    w.bytes(body);
  }

  /** Returns the body bytes the filter produced, or undefined when the record is dropped. */
  private callOne(inst: Instance, ev: FbEvent, log: string[]): Uint8Array | undefined {
    const b = this.behaviour;
    if (!this.fn) {
      log.push(`[error] The ${this.opts.functionName} wasm function is not found.`, DEBUG_SKIP(this.name));
      return undefined;
    }
    if (b.forwardInputFails && this.opts.input === "forward") {
      log.push("[error] Got exception running wasm code: Exception: native stack overflow", DEBUG_SKIP(this.name));
      return undefined;
    }
    let bodyValue;
    try { bodyValue = decode(ev.body, b.inputDepthLimit); } catch { return undefined; } // too deep: vanishes silently
    if (bodyValue.t !== "map") return undefined; // non-map bodies never reach the function
    const cells = this.fn.type!.params.reduce((n, p) => n + (p === "i64" || p === "f64" ? 2 : 1), 0);
    if (b.checksArgumentCount && cells > 6) {
      log.push(`[error] Got exception running wasm code: Exception: invalid argument count 6, must be no smaller than ${cells}`, DEBUG_SKIP(this.name));
      return undefined;
    }
    if (this.poisoned) {
      this.poisoned = false;
      log.push("[error] Got exception running wasm code: Exception: out of bounds memory access", DEBUG_SKIP(this.name));
      return undefined;
    }
    const payload = this.eventFormat === "json"
      ? fluentBitJson(bodyValue, { dialect: b.json, escapeUnicode: b.json === "v5" && (this.opts.escapeUnicode ?? true), nanToNull: this.opts.convertNanToNull ?? false })
      : encode(bodyValue); // msgpack-c's re-encoding: canonical ints and headers, float widths kept
    const tagBytes = Buffer.from(ev.tag, "utf8");
    const nulAfterRecord = this.eventFormat === "json" ? 1 : 0;
    let tagPtr = 0, recPtr = 0, result: number;
    try {
      tagPtr = inst.alloc(tagBytes.length + 1);
      recPtr = inst.alloc(payload.length + nulAfterRecord);
      if (!tagPtr || !recPtr) {
        log.push(`[error] [filter:wasm:${this.name}] failed to copy the record into the wasm module`, DEBUG_SKIP(this.name));
        return undefined;
      }
      let mem = new Uint8Array(inst.memory.buffer);
      mem.set(tagBytes, tagPtr); mem[tagPtr + tagBytes.length] = 0;
      mem.set(payload, recPtr); if (nulAfterRecord) mem[recPtr + payload.length] = 0;
      const fn = inst.exports[this.opts.functionName] as (...a: number[]) => unknown;
      const raw = fn(tagPtr, tagBytes.length, ev.sec >>> 0, ev.nsec >>> 0, recPtr, payload.length);
      // WAMR reads the result cell whatever the declared type: no result leaves the first argument there.
      result = raw === undefined ? tagPtr : typeof raw === "bigint" ? Number(BigInt.asUintN(32, raw)) : (raw as number) >>> 0;
      mem = new Uint8Array(inst.memory.buffer);
      const nul = result < mem.length ? mem.indexOf(0, result) : -1;
      if (nul < 0) {
        log.push("[ warn] [wasm] returned value is invalid", DEBUG_SKIP(this.name));
        if (b.invalidResultPoisonsNext) this.poisoned = true;
        return undefined;
      }
      const out = mem.slice(result, nul);
      return acceptResult(out, { eventFormat: this.eventFormat, json: this.behaviour.json, name: this.name }, log);
    } catch (e) {
      if (e instanceof StartupError) throw e;
      if (e instanceof NotEmulatedError) throw e;
      log.push(`[error] Got exception running wasm code: Exception: ${wamrTrapMessage(e)}`, DEBUG_SKIP(this.name));
      return undefined;
    } finally {
      if (b.freesCopies && recPtr) { try { inst.release(recPtr); inst.release(tagPtr); } catch { /* a trap in free is the module's */ } }
    }
  }


}

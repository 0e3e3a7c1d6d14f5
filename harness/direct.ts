/**
 * A module instantiated directly with the plain WebAssembly API (no Fluent Bit emulation), for the
 * probes, the cost model and the benchmarks: bytes in through its malloc, C strings out.
 */
export class Direct {
  readonly ex: Record<string, any>;
  constructor(bytes: Uint8Array) {
    this.ex = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {}).exports as Record<string, any>;
  }
  get mem(): Uint8Array { return new Uint8Array((this.ex.memory as WebAssembly.Memory).buffer); }
  /** Copies bytes in the way Fluent Bit does (through the module's malloc), with a NUL after them. */
  put(bytes: Uint8Array | string): [number, number] {
    const b = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    const p = this.ex.malloc(b.length + 1) >>> 0;
    this.mem.set(b, p);
    this.mem[p + b.length] = 0;
    return [p, b.length];
  }
  cstr(p: number): Buffer {
    const m = this.mem;
    const end = m.indexOf(0, p);
    return Buffer.from(m.subarray(p, end));
  }
}

/**
 * The deterministic cost of a module per record (bench/instrument.ts), calling it as Fluent Bit
 * does: WebAssembly instructions executed, bytes moved by memory.copy/fill inside the module,
 * bytes Fluent Bit copies in (tag and record, each with its NUL) and reads back (the result up to
 * its NUL), and host calls (fixed by Fluent Bit: malloc twice, the filter once, free twice).
 */
import { instrument } from "./instrument.ts";
import { Direct } from "../harness/direct.ts";

const TAG = Buffer.from("kube.var.log.containers.orders-api-d88374c3b-vsj6v_shop_orders-api-8b140eb61a5290045191f84ae2b58980b566addb8643675a69c540bcb6703bf1.log");

export const HOST_CALLS_PER_RECORD = 5;

export interface Cost {
  perRecord: number;
  total: bigint;
  records: number;
  bytesMovedPerRecord: number;
  bytesInPerRecord: number;
  bytesOutPerRecord: number;
  hostCallsPerRecord: number;
}

export function costModel(wasm: Uint8Array, fn: string, records: Uint8Array[]): Cost {
  const d = new Direct(instrument(wasm));
  const counter = d.ex.__instructions as WebAssembly.Global;
  const moved = d.ex.__bytes_moved as WebAssembly.Global;
  // The first call of an instance reads the settings block once: left out of the per-record figure.
  const warm = () => { const [t, tl] = d.put(TAG); const [p, n] = d.put(records[0]); d.ex[fn](t, tl, 0, 0, p, n); };
  warm();
  const start = counter.value as bigint, movedStart = moved.value as bigint;
  let bytesIn = 0, bytesOut = 0;
  for (const r of records) {
    const [t, tl] = d.put(TAG);
    const [p, n] = d.put(r);
    const out = d.ex[fn](t, tl, 1795415418, 559634260, p, n) >>> 0;
    bytesIn += tl + 1 + n + 1;
    bytesOut += d.mem.indexOf(0, out) - out + 1;
    d.ex.free(p);
    d.ex.free(t);
  }
  const total = (counter.value as bigint) - start;
  const n = records.length;
  return {
    perRecord: Number(total) / n, total, records: n,
    bytesMovedPerRecord: Number((moved.value as bigint) - movedStart) / n,
    bytesInPerRecord: bytesIn / n, bytesOutPerRecord: bytesOut / n, hostCallsPerRecord: HOST_CALLS_PER_RECORD,
  };
}

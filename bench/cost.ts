/**
 * Instructions a module executes per record (bench/instrument.ts), calling it as Fluent Bit
 * does. Host calls per record are fixed by Fluent Bit: malloc twice, the filter once, free twice.
 */
import { instrument } from "./instrument.ts";
import { Direct } from "../tests/helpers/probes.ts";

const TAG = Buffer.from("kube.var.log.containers.orders-api-d88374c3b-vsj6v_shop_orders-api-8b140eb61a5290045191f84ae2b58980b566addb8643675a69c540bcb6703bf1.log");

export interface Cost { perRecord: number; total: bigint; records: number }

export function costModel(wasm: Uint8Array, fn: string, records: Uint8Array[]): Cost {
  const d = new Direct(instrument(wasm));
  const counter = d.ex.__instructions as WebAssembly.Global;
  // The first call of an instance reads the settings block once: left out of the per-record figure.
  const warm = () => { const [t, tl] = d.put(TAG); const [p, n] = d.put(records[0]); d.ex[fn](t, tl, 0, 0, p, n); };
  warm();
  const start = counter.value as bigint;
  for (const r of records) {
    const [t, tl] = d.put(TAG);
    const [p, n] = d.put(r);
    d.ex[fn](t, tl, 1795415418, 559634260, p, n);
    d.ex.free(p);
    d.ex.free(t);
  }
  const total = (counter.value as bigint) - start;
  return { perRecord: Number(total) / records.length, total, records: records.length };
}

/**
 * One instance, as Fluent Bit 4.1+ keeps it for the life of the process: after a million records
 * through the emulated filter_wasm (JSON in, result parsed back), linear memory has not grown
 * and no record was dropped. The records cycle through every shape the generated corpus has:
 * typical lines, 16 KiB partial pieces, glued tracebacks; raw and `cri`-parsed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { FbEvent } from "../harness/events.ts";
import { packJsonV5 } from "../harness/fb-json-in.ts";
import { corpus } from "../bench/corpus.ts";
import { SHIPPED } from "../scripts/shipped.ts";

const CALLS = Number(process.env.STEADY_STATE_RECORDS ?? 1_000_000);
const TAG = "kube.var.log.containers.orders-api-d88374c3b-vsj6v_shop_orders-api-8b140eb61a5290045191f84ae2b58980b566addb8643675a69c540bcb6703bf1.log";

function events(shape: "raw" | "parsed"): FbEvent[] {
  return corpus(2000, shape, 11).map((json, i) => {
    const packed = packJsonV5(Buffer.from(json));
    if (!packed.ok) throw new Error(`the corpus holds text Fluent Bit would not read: ${json.slice(0, 80)}`);
    return { tag: TAG, sec: 1795415418 + i, nsec: 559634260, timeKind: "eventtime", format: "v2", meta: Uint8Array.of(0x80), body: packed.bytes };
  });
}

test(`${CALLS.toLocaleString("en")} records through one instance: linear memory flat, nothing dropped`, () => {
  const shipped = SHIPPED.find((m) => !m.benchmarkOnly)!;
  const mixed = [...events("raw"), ...events("parsed")];
  for (const fn of shipped.functions) {
    const filter = new FilterWasm({ wasm: shipped.wasm, functionName: fn.name, fluentBitVersion: "5.1.1" });
    // The first function goes the whole way; the others share its code and take a shorter run.
    const perFunction = fn === shipped.functions[0] ? CALLS : Math.min(CALLS, 50_000);
    let done = 0, dropped = 0, pagesAfterFirstPass = 0;
    while (done < perFunction) {
      const r = filter.filterChunk(mixed);
      dropped += r.dropped;
      done += mixed.length;
      if (!pagesAfterFirstPass) pagesAfterFirstPass = filter.memoryPages()!;
    }
    assert.equal(dropped, 0, fn.name);
    assert.equal(filter.memoryPages(), pagesAfterFirstPass, `${fn.name}: pages after ${done} records`);
    assert.ok(pagesAfterFirstPass <= 4, `${fn.name}: ${pagesAfterFirstPass} pages`);
  }
});

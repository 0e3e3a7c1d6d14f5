/**
 * Raw CRI lines glued into one record by a multiline parser: every glued header is removed from
 * `log`, the record keeps the first line's time, and the diagnostics count them; the same for a
 * group longer than the table the filter keeps glued-line positions in (64).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { makeEvent } from "../harness/events.ts";
import { decode, mp, toView } from "../harness/msgpack.ts";

const TAG = "kube.var.log.containers.app-1_ns_app-0123456789012345678901234567890123456789012345678901234567890123.log";

function glued(lines: number, streams: (i: number) => string): { raw: string; messages: string[]; first: string; lastMs: number } {
  const messages: string[] = [];
  const rawLines: string[] = [];
  const base = Date.UTC(2026, 10, 23, 6, 30, 0);
  for (let i = 0; i < lines; i++) {
    const time = new Date(base + i * 7).toISOString().replace("Z", "123456Z").replace(/\.(\d{3})/, ".$1");
    const message = i === 0 ? "Traceback (most recent call last):" : i === lines - 1 ? "ValueError: x" : `  File "/app/m${i}.py", line ${i}, in f${i}`;
    messages.push(message);
    rawLines.push(`${time} ${streams(i)} F ${message}`);
  }
  return { raw: rawLines.join("\n") + "\n", messages, first: rawLines[0].slice(0, 30), lastMs: (lines - 1) * 7 };
}

for (const n of [3, 64, 65, 200]) {
  test(`${n} glued raw lines: headers removed, first time kept, counted`, () => {
    const g = glued(n, (i) => (n > 64 && i === n - 2 ? "stderr" : "stdout"));
    const f = new FilterWasm({ wasm: "build/cri_time.wasm", functionName: "cri_timestamp" });
    const out = f.filterChunk([makeEvent(TAG, 1795415418, 0, mp.obj({ log: mp.str(g.raw) }))]);
    assert.equal(out.events.length, 1);
    const body = toView(decode(out.events[0].body)) as Record<string, any>;
    assert.equal(body.log, g.messages.join("\n"));
    assert.equal(body.stream, "stdout");
    assert.equal(body._p, "F");
    assert.equal(body["@timestamp"], g.first.replace(/(\.\d{6})Z$/, "$1000Z").replace(/(\.\d{9})\d*Z?$/, "$1Z"));
    assert.equal(body.cri_check.raw_lines, n);
    assert.equal(body.cri_check.lines, n);
    assert.equal(body.cri_check.mixed_streams, n > 64 ? true : undefined);
    assert.equal(body.cri_check.span_ms, g.lastMs > 1000 ? g.lastMs : undefined);
    assert.equal(body.cri_check.continuation_start, true); // it starts with "Traceback (most recent call last):"
  });
}

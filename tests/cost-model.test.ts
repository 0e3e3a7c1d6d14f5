/**
 * The deterministic cost model (instructions executed per record) is exact and repeatable, and
 * the shipped filters stay within their recorded budget: a change that makes the hot path
 * dearer fails here instead of slipping into Fluent Bit unnoticed. Budgets live in
 * bench/budget.json; lower them when the code gets cheaper.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { costModel } from "../bench/cost.ts";
import { instrument } from "../bench/instrument.ts";
import { corpus } from "../bench/corpus.ts";
import { Direct, probeWasm } from "./helpers/probes.ts";

const records = corpus(2000, "raw", 7).map((s) => Buffer.from(s));
const parsed = corpus(2000, "parsed", 7).map((s) => Buffer.from(s));

test("instrumentation counts exactly: a probe whose work is known", () => {
  const d = new Direct(instrument(probeWasm()));
  const c = d.ex.__instructions as WebAssembly.Global;
  const [p, n] = d.put("{}");
  const before = c.value as bigint;
  d.ex.ret0(p, n, 0, 0, p, n); // body: i32.const 0, end
  assert.equal((c.value as bigint) - before, 2n);
  // An instrumented module behaves as the original.
  const plain = new Direct(probeWasm());
  const [q, m] = plain.put('{"emit_hex":"7b7d"}');
  const [q2, m2] = d.put('{"emit_hex":"7b7d"}');
  assert.equal(plain.cstr(plain.ex.jout(q, m, 0, 0, q, m)).toString(), d.cstr(d.ex.jout(q2, m2, 0, 0, q2, m2)).toString());
});

test("the cost model is the same on every run", () => {
  const wasm = readFileSync("build/cri_time.wasm");
  assert.equal(costModel(wasm, "cri_timestamp", records).total, costModel(wasm, "cri_timestamp", records).total);
});

test("shipped filters stay within their instruction budget", () => {
  const budget = JSON.parse(readFileSync("bench/budget.json", "utf8")) as Record<string, { raw: number; parsed: number }>;
  const wasm = readFileSync("build/cri_time.wasm");
  for (const [fn, limit] of Object.entries(budget)) {
    const raw = costModel(wasm, fn, records).perRecord, par = costModel(wasm, fn, parsed).perRecord;
    assert.ok(raw <= limit.raw, `${fn}: ${raw.toFixed(0)} instructions per raw line, budget ${limit.raw}`);
    assert.ok(par <= limit.parsed, `${fn}: ${par.toFixed(0)} instructions per parsed record, budget ${limit.parsed}`);
  }
});

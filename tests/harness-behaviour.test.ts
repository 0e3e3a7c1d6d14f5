/**
 * The harness against the behaviour experiments run on real Fluent Bit (behaviour.v5.1.1.json,
 * behaviour.v2.1.8.json): traps, bad pointers, lifecycles, linking, configuration errors.
 * Expected values are read from the vectors, not restated.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FilterWasm, StartupError } from "../harness/filter-wasm.ts";
import { FbEvent, makeEvent } from "../harness/events.ts";
import { decode, mp, toView } from "../harness/msgpack.ts";
import { asRuntimeWasm, importsAbortWasm, noAllocatorWasm, probeWasm } from "./helpers/probes.ts";
import { loadVectors } from "./helpers/vectors.ts";

const probe = probeWasm();
const VERSIONS = ["5.1.1", "2.1.8"] as const;
const experiments = (v: string) => loadVectors<{ experiments: Record<string, any> }>(`behaviour.v${v}.json`).experiments;

function records(n: number, tag = "t"): FbEvent[] {
  return Array.from({ length: n }, (_, i) => makeEvent(tag, 1700000000 + i, i, mp.obj({ log: mp.str(`record ${i + 1}`) })));
}
const calls = (events: FbEvent[]) => events.map((e) => (toView(decode(e.body)) as any).calls);
/** Log lines without Fluent Bit's "(previous line repeated …)" folding, which is the logger's, not the filter's. */
const unfold = (lines: string[]) => {
  const out: string[] = [];
  for (const l of lines) {
    const m = /^\s+\(previous line repeated (\d+) more times\)$/.exec(l);
    if (m) for (let k = 0; k < Number(m[1]); k++) out.push(out[out.length - 1]);
    else out.push(l);
  }
  return out;
};

for (const version of VERSIONS) {
  const ex = experiments(version);

  test(`${version}: a trap drops only that record; the instance keeps its state`, () => {
    const want = ex.trap_then_continue.result;
    const f = new FilterWasm({ wasm: probe, functionName: "trap_every_2nd", fluentBitVersion: version, input: "forward-threaded" });
    const a = f.filterChunk(records(4));
    const b = f.filterChunk(records(2));
    assert.deepEqual(calls(a.events), want.a.records_out.map((r: any) => r.calls));
    assert.deepEqual(calls(b.events), want.b.records_out.map((r: any) => r.calls));
    assert.deepEqual(a.log, want.a.log);
  });

  test(`${version}: an invalid returned pointer (and on a persistent instance, the next call)`, () => {
    const want = ex.invalid_pointer_then_valid.result;
    for (const name of ["ret_oob_once", "trap_once"] as const) {
      const f = new FilterWasm({ wasm: probe, functionName: name, fluentBitVersion: version, input: "forward-threaded" });
      const r = f.filterChunk(records(want[name].records_in));
      assert.deepEqual(calls(r.events), want[name].records_out.map((x: any) => x.calls), name);
      assert.deepEqual(r.log, want[name].log, name);
    }
  });

  test(`${version}: per-call failures in json mode, log lines as Fluent Bit writes them`, () => {
    const want = ex.per_call_failures_json.result;
    const map: Record<string, string> = { trap: "trap", ret0: "ret0", ret_oob: "ret_oob", sig_void: "no_result", sig_seven: "seven", does_not_exist: "does_not_exist" };
    for (const [vector, fn] of Object.entries(map)) {
      const f = new FilterWasm({ wasm: probe, functionName: fn, fluentBitVersion: version, input: "forward-threaded" });
      const r1 = f.filterChunk(records(2, vector));
      const r2 = f.filterChunk(records(1, vector));
      const w = want[vector];
      assert.equal(r1.events.length, w.first_message.records_out.length, `${vector}: records out`);
      assert.equal(r2.events.length, w.second_message.records_out.length, `${vector}: records out`);
      const strip = (l: string[]) => unfold(l).filter((x) => !x.startsWith("[debug] [yyjson"));
      assert.deepEqual(strip(r1.log), strip(w.first_message.log), `${vector}: log`);
    }
  });

  test(`${version}: instance lifetime (state across records, chunks and filters)`, () => {
    const want = ex.state.result.per_tag;
    // v5: one instance per [FILTER] for the process lifetime; v2: one per filter call, and
    // in_forward makes a call per record.
    const f = new FilterWasm({ wasm: probe, functionName: "count", fluentBitVersion: version, input: "forward-threaded" });
    const a = [...f.filterChunk(records(3)).events, ...f.filterChunk(records(2)).events, ...f.filterChunk(records(2)).events];
    assert.deepEqual(calls(a), want["a.1"].records_out.map((r: any) => r.calls));
    assert.deepEqual(calls(f.filterChunk(records(1)).events), want["a.2"].records_out.map((r: any) => r.calls));
    const second = new FilterWasm({ wasm: probe, functionName: "count", fluentBitVersion: version, input: "forward-threaded" });
    assert.deepEqual(calls(second.filterChunk(records(2)).events), want["c.1"].records_out.map((r: any) => r.calls));
    // tail appends a read batch per call: 5 lines in one batch.
    const tail = new FilterWasm({ wasm: probe, functionName: "count", fluentBitVersion: version, input: "tail" });
    assert.deepEqual(calls(tail.filterChunk(records(5)).events), ex.state.result.tail_5_lines.map((r: any) => r.calls));
  });

  test(`${version}: a module importing AssemblyScript's env.abort links with WAMR's warnings and traps when it calls it`, () => {
    const want = ex.abort_import.result;
    const noAbort = new FilterWasm({ wasm: importsAbortWasm(), functionName: "no_abort", fluentBitVersion: version, input: "forward-threaded" });
    const r = noAbort.filterChunk(records(2));
    assert.deepEqual(r.events.map((e) => (toView(decode(e.body)) as any).log), want.no_abort.records_out.map((x: any) => x.log));
    const warnings = [...noAbort.startLog, ...r.log].filter((l) => l.startsWith("[WAMR]"));
    const wantWarnings = want.no_abort.full_log_wamr_lines.filter((l: string) => l.startsWith("[WAMR]"));
    // v5 links once (at start); v2 links at every instantiation (per record through in_forward).
    assert.deepEqual(warnings, wantWarnings);
    const call = new FilterWasm({ wasm: importsAbortWasm(), functionName: "call_abort", fluentBitVersion: version, input: "forward-threaded" });
    const c = call.filterChunk(records(1));
    assert.equal(c.events.length, 0);
    assert.deepEqual(c.log.filter((l) => !l.startsWith("[WAMR]")), want.call_abort.log);
  });

  test(`${version}: configuration errors at start-up`, () => {
    const want = ex.config_errors.result;
    if (version === "5.1.1") {
      assert.throws(() => new FilterWasm({ wasm: "/nonexistent/x.wasm", functionName: "f", fluentBitVersion: version }), (e: unknown) =>
        e instanceof StartupError && want.missing_file.log.filter((l: string) => l.startsWith("[error]")).every((l: string) => e.log.includes(l)));
      assert.throws(() => new FilterWasm({ wasm: new TextEncoder().encode("not wasm"), functionName: "f", fluentBitVersion: version }), StartupError);
    } else {
      const f = new FilterWasm({ wasm: "/nonexistent/x.wasm", functionName: "f", fluentBitVersion: version });
      const r = f.filterChunk(records(1));
      assert.equal(r.events.length, want.missing_file.records_out, "passes records through unfiltered");
      assert.deepEqual(r.log, want.missing_file.per_record_log);
    }
  });

  test(`${version}: time arguments and output event times at the extremes`, () => {
    const f = new FilterWasm({ wasm: probe, functionName: "args", fluentBitVersion: version, input: "forward-threaded" });
    for (const t of ex.time_args.result) {
      if (!t.args_seen) continue; // rejected by in_forward before any filter
      const r = f.filterChunk([makeEvent("t", t.event_time_sent.sec, t.event_time_sent.nsec, mp.obj({ a: mp.int(1) }))]);
      const seen = toView(decode(r.events[0].body)) as any;
      assert.deepEqual({ sec: seen.sec, nsec: seen.nsec }, t.args_seen);
      assert.deepEqual({ sec: r.events[0].sec, nsec: r.events[0].nsec }, t.output_event_time);
    }
  });
}

test("5.1.1: records from in_forward without `threaded on` all fail (native stack overflow)", () => {
  const want = experiments("5.1.1").input_paths.result.forward_default;
  const f = new FilterWasm({ wasm: probe, functionName: "jpass", input: "forward" });
  const r = f.filterChunk(records(2));
  assert.equal(r.events.length, want.records_out);
  assert.deepEqual(r.log, want.log);
});

test("a module without an exported allocator is refused, with the reason", () => {
  assert.throws(() => new FilterWasm({ wasm: noAllocatorWasm(), functionName: "pass" }), /exports no allocator.*overwrite each other/);
});

test("AssemblyScript's exported runtime (__new/__pin/__unpin) is used as WAMR uses it", () => {
  const f = new FilterWasm({ wasm: asRuntimeWasm(), functionName: "pass" });
  const r = f.filterChunk(records(3));
  assert.deepEqual(r.events.map((e) => (toView(decode(e.body)) as any).log), ["record 1", "record 2", "record 3"]);
});

test("group markers pass the filter untouched from 4.2.3", () => {
  const start: FbEvent = { ...makeEvent("t", 0, 0, mp.obj({ g: mp.int(1) })), group: "start", timeKind: "int" };
  const end: FbEvent = { ...makeEvent("t", 0, 0, mp.obj({})), group: "end", timeKind: "int" };
  const f = new FilterWasm({ wasm: probe, functionName: "trap", fluentBitVersion: "4.2.3" });
  const r = f.filterChunk([start, ...records(1), end]);
  assert.deepEqual(r.events.map((e) => e.group), ["start", "end"], "the record trapped; both markers passed");
});

test("memory stays bounded over thousands of records through one instance", () => {
  const f = new FilterWasm({ wasm: probe, functionName: "mpass", eventFormat: "msgpack" });
  const big = records(1).map((e) => ({ ...e, body: new Uint8Array([0x81, 0xa1, 0x61, 0xda, 0x10, 0x01, ...new Uint8Array(0x1001).fill(0x62)]) }));
  f.filterChunk(big);
  const pages = () => f.memoryPages();
  const after = pages();
  for (let i = 0; i < 50; i++) f.filterChunk(records(100));
  assert.equal(pages(), after);
});

// One bad returned buffer among good records of one chunk, as recorded: the raw chunk out_file
// `format msgpack` wrote, and what out_file's JSON lines (an output that decodes events) printed,
// which stops at the first item that is no event (harness/chunk-reader.ts).
for (const version of VERSIONS) {
  for (const [name, want] of Object.entries(experiments(version).chunk_poisoning.result) as [string, any][]) {
    test(`${version}: chunk poisoning, ${name}: the chunk written and the events an output decodes`, () => {
      const msgpack = name.startsWith("msgpack:");
      const f = new FilterWasm({ wasm: probe, functionName: msgpack ? "mout" : "jout", fluentBitVersion: version, ...(msgpack ? { eventFormat: "msgpack" as const } : {}) });
      const good = (n: number) => (msgpack ? Buffer.from([0x81, 0xa4, ...Buffer.from("good"), n]) : Buffer.from(`{"good":${n}}`));
      const emit = [good(1), Buffer.from(want.bad_bytes_hex, "hex"), good(3)];
      const r = f.filterChunk(emit.map((b, i) => makeEvent("t", 1700000001 + i, i + 1, mp.obj({ emit_hex: mp.str(b.toString("hex")) }))));
      assert.equal(Buffer.from(r.chunk ?? []).toString("hex"), want.msgpack_file_hex, "the chunk out_file msgpack writes");
      assert.equal(r.undecodable, false);
      assert.equal(r.items.length, want.msgpack_file_events.length, "items read back from it");
      // An event whose body holds an ext value (the EventTime a truncated map swallowed) is printed
      // as raw bytes by 5.1.1 and not at all by 2.1.8: compared up to it, then by count.
      const hasExt = (e: FbEvent) => JSON.stringify(toView(decode(e.body))).includes('"$ext"');
      const upTo = r.events.findIndex(hasExt);
      const plain = upTo < 0 ? r.events : r.events.slice(0, upTo);
      const printed = plain.map((e) => `p: [${e.sec}.${String(e.nsec).padStart(9, "0")}, ${JSON.stringify(toView(decode(e.body)))}]`);
      assert.deepEqual(printed, want.json_lines_output.slice(0, plain.length), "what a decoding output prints");
      assert.ok([plain.length, r.events.length].includes(want.json_lines_output.length), "events the output decodes");
    });
  }
}

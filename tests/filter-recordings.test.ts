/**
 * Golden tests of the shipped filter over every recorded scenario in ../shared/recordings:
 * records taken from real Fluent Bit at the filter stage, with ground truth for every line.
 *
 * For every record: the filter + es/opensearch rule and the filter + the exact Lua stage
 * (set_event_time) give the time written in its first line's CRI/Docker time text, to the
 * nanosecond, and the filter + parser filter gives it as Fluent Bit's parser reads it (1 ns less
 * for about 1.7% of nanosecond values: docs/fluent-bit-facts.md); the diagnostics
 * flag the defects the truth shows; raw lines are split and glued lines mended to the truth's
 * text. Expectations are computed from truth.jsonl and analysis.*.jsonl, never restated.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { FbEvent } from "../harness/events.ts";
import { decode, toView } from "../harness/msgpack.ts";
import { esTimestamp, parserStage, rfc3339ToNanos } from "../harness/stages.ts";
import { luaFilterEvents } from "../harness/lua-filter.ts";
import { Run, TruthLine, parserNanos, runs, truthNanos } from "../harness/recordings.ts";

const WASM = "build/cri_time.wasm";
const FN = "cri_timestamp_and_event_time";

const eventNanos = (e: FbEvent) => BigInt(e.sec) * 1_000_000_000n + BigInt(e.nsec);
const TRACEBACK = "Traceback (most recent call last):";

/** A string value's text; bytes that are not UTF-8 read one char per byte (enough for ASCII times). */
function text(v: any): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v.$str_hex === "string") return Buffer.from(v.$str_hex, "hex").toString("latin1");
  return undefined;
}

/** The time text a record carries: the `time` key, else a time at the start of `log`. */
function carriedTimeText(body: any): string | undefined {
  if (text(body.time) !== undefined) return text(body.time);
  const log = text(body.log);
  return log === undefined ? undefined : /^\S+/.exec(log)?.[0];
}

function firstTruthLine(run: Run, i: number): TruthLine | undefined {
  const a = run.analysis[i];
  const id = a.first_line ?? (Array.isArray(a.duplicate_of) ? a.duplicate_of[0] : undefined);
  return id ? run.lines.get(id) : undefined;
}

const all = runs();

for (const run of all) {
  test(`${run.scenario} / ${run.label}: every record's true time reaches Elasticsearch and any output`, () => {
    const f = new FilterWasm({ wasm: WASM, functionName: FN, fluentBitVersion: run.version, input: "tail" });
    const out = f.filterChunk(run.events);
    assert.equal(out.events.length, run.events.length, "no record lost");
    assert.deepEqual(out.log, [], "Fluent Bit logs nothing about the filter");
    const luaStaged = luaFilterEvents("lua/cri_time.lua", "set_event_time", out.events, { fluentBitVersion: run.version });
    let exact = 0, timeGone = 0, invalid = 0, parserEarly = 0;
    out.events.forEach((e, i) => {
      const input = toView(decode(run.events[i].body)) as any;
      const body = toView(decode(e.body)) as any;
      const line = firstTruthLine(run, i);
      const carried = carriedTimeText(input);
      const es = esTimestamp(e, { timeKeyNanos: true });
      const parsed = parserStage(e, { keyName: "_event_time", reserveData: true, fluentBitVersion: run.version }).event;
      const where = `record ${i} (${JSON.stringify(input).slice(0, 120)})`;
      // The truth gives the instant (cri_time_ns) for regular lines; for irregular ones (a line
      // with only a time, an unknown tag…) the instant of the time text itself, where it has one.
      const want = line && line.cri_time === carried ? (line.cri_time_ns ? truthNanos(line.cri_time_ns) : rfc3339ToNanos(line.cri_time ?? "")) : undefined;
      if (want !== undefined) {
        assert.equal(rfc3339ToNanos(es), want, `${where}: @timestamp in Elasticsearch`);
        assert.equal(eventNanos(parsed), parserNanos(want), `${where}: event time after the parser filter`);
        if (eventNanos(parsed) !== want) parserEarly++;
        assert.equal((toView(decode(parsed.body)) as any)._event_time, undefined, `${where}: the parser filter consumed _event_time`);
        assert.equal(eventNanos(luaStaged[i]), want, `${where}: event time after the exact Lua stage`);
        assert.equal((toView(decode(luaStaged[i].body)) as any)._event_time, undefined, `${where}: the Lua stage consumed _event_time`);
        exact++;
      } else if (line && line.cri_time === carried) {
        // An impossible or zone-less time: a diagnostic, never a guess.
        assert.equal(body["@timestamp"], undefined, `${where}: no @timestamp`);
        assert.equal(body._event_time, undefined, `${where}: no _event_time`);
        assert.equal(eventNanos(parsed), eventNanos(run.events[i]), `${where}: event time kept`);
        assert.equal(eventNanos(luaStaged[i]), eventNanos(run.events[i]), `${where}: event time kept by the Lua stage`);
        assert.ok(body.cri_check?.time_error, `${where}: time_error says why`);
        invalid++;
      } else if (carried === undefined || rfc3339ToNanos(carried) === undefined) {
        // The record does not hold its line's time text (Fluent Bit dropped the `time` key).
        assert.equal(body["@timestamp"], undefined, `${where}: no @timestamp`);
        assert.ok(body.cri_check?.time_error, `${where}: time_error says why`);
        timeGone++;
      } else {
        // A time text that is not the truth's first line (e.g. a duplicate): the text's instant.
        assert.equal(rfc3339ToNanos(es), rfc3339ToNanos(carried), `${where}: the carried time`);
      }
    });
    assert.ok(exact > 0, "records checked to the nanosecond");
    assert.ok(parserEarly <= exact * 0.05, `${parserEarly} of ${exact} records 1 ns early through the parser filter`);
  });

  test(`${run.scenario} / ${run.label}: diagnostics flag the defects the truth shows`, () => {
    const f = new FilterWasm({ wasm: WASM, functionName: "cri_check", fluentBitVersion: run.version, input: "tail" });
    const out = f.filterChunk(run.events);
    out.events.forEach((e, i) => {
      const a = run.analysis[i];
      const input = toView(decode(run.events[i].body)) as any;
      const check = (toView(decode(e.body)) as any).cri_check ?? {};
      const line = a.first_line ? run.lines.get(a.first_line) : undefined;
      const where = `record ${i} ${JSON.stringify(input).slice(0, 140)}`;
      const log = text(input.log) ?? "";
      const raw = rfc3339ToNanos(/^\S+/.exec(log)?.[0] ?? "") !== undefined && / (stdout|stderr) /.test(log.slice(0, 60));

      // Several messages in one record (truth: lines of more than one app message).
      assert.equal((check.messages ?? 0) > 1, !!a.glued, `${where}: messages`);

      // A piece the runtime split (P) whose F is not in the record.
      const partial = (a.cri_msgs ?? []).some((c) => {
        const m = run.messages.get(c)!;
        const last = run.lines.get(m.lines[m.lines.length - 1])!;
        return last.tag === "P" || last.tag === "partial";
      });
      assert.equal(!!check.partial, partial, `${where}: partial`);

      // Mixed streams: seen when each line carries its stream (raw CRI lines); a stdout line
      // glued into a parsed stderr record carries no mark and cannot be seen.
      if (raw || !a.mixed_streams) assert.equal(!!check.mixed_streams, !!a.mixed_streams, `${where}: mixed_streams`);

      // A record that starts inside a message that began in an earlier record.
      if (line && a.duplicate_of === undefined) {
        const msg = run.messages.get(line.app_msg)!;
        const split = msg.lines[0] !== a.first_line;
        const text = raw ? log.replace(/^\S+ \S+ \S+ /, "") : log;
        if (text.trim() === "") assert.equal(!!check.continuation_start, false, `${where}: an empty line says nothing`);
        else if (text.startsWith(TRACEBACK)) assert.equal(!!check.continuation_start, true, `${where}: a traceback header is reported (even a bare one)`);
        else assert.equal(!!check.continuation_start, split, `${where}: continuation_start`);
      }
    });
  });
}

for (const run of all.filter((r) => r.scenario === "seed-custom-multiline")) {
  test(`${run.scenario} / ${run.label}: raw lines split as the cri parser would, glued lines mended`, () => {
    const f = new FilterWasm({ wasm: WASM, functionName: "cri_timestamp", fluentBitVersion: run.version, input: "tail" });
    const out = f.filterChunk(run.events);
    out.events.forEach((e, i) => {
      const a = run.analysis[i];
      const body = toView(decode(e.body)) as any;
      const lines = (a.lines ?? []).map((id) => run.lines.get(id)!);
      if (!lines.length) return;
      assert.equal(body.log, lines.map((l) => (l as any).text).join("\n"), `record ${i}: log`);
      assert.equal(body.stream, lines[0].stream, `record ${i}: stream`);
      assert.equal(body._p, lines[0].tag, `record ${i}: _p`);
      if (lines.length > 1) assert.equal(body.cri_check.raw_lines, lines.length, `record ${i}: raw_lines`);
    });
  });
}

test("the stuck timestamp of the original report is corrected", () => {
  const run = all.find((r) => r.scenario === "seed-custom-multiline" && r.label === "v2.1.8")!;
  const distinct = (evs: FbEvent[]) => new Set(evs.map((e) => esTimestamp(e, { timeKeyNanos: true }))).size;
  const f = new FilterWasm({ wasm: WASM, functionName: "cri_timestamp", fluentBitVersion: "2.1.8", input: "tail" });
  const out = f.filterChunk(run.events);
  assert.ok(distinct(run.events) <= 3, "before: Fluent Bit stamps almost every record with one time");
  assert.equal(distinct(out.events), run.events.length, "after: every record has its own time");
});

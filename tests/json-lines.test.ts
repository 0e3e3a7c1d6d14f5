/**
 * JSON lines in each form fbwasm reads (harness/json-lines.ts), and telling inputs apart by their
 * content. That these are the forms Fluent Bit writes is checked in tests/real-json-lines.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeEvent, writeJsonLines, writeMsgpackStream } from "../harness/events.ts";
import { inputKind } from "../harness/inputs.ts";
import { readJsonLines } from "../harness/json-lines.ts";
import { decode, mp, toView } from "../harness/msgpack.ts";

const one = (line: string, o = {}) => {
  const [e] = readJsonLines(line, { defaultTag: "d", now: 1_700_000_000_000, ...o });
  return { tag: e.tag, ts: `${e.sec}.${String(e.nsec).padStart(9, "0")}`, meta: toView(decode(e.meta)), body: toView(decode(e.body)) };
};

test("every form gives its tag, its time to the digits it carries, and its record", () => {
  const body = { log: "x", n: 1 };
  const cases: [string, object][] = [
    ['{"tag":"t","ts":"1697449735.123456789","body":{"log":"x","n":1}}', { tag: "t", ts: "1697449735.123456789", body }],
    ['{"tag":"t","ts":"1697449735","body":{"log":"x","n":1}}', { tag: "t", ts: "1697449735.000000000", body }],
    ['{"tag":"t","ts":1697449735.25,"body":{"log":"x","n":1}}', { tag: "t", ts: "1697449735.250000000", body }],
    ['{"ts":"2023-10-16T09:48:55.123456789+02:00","body":{"log":"x","n":1}}', { tag: "d", ts: "1697442535.123456789", body }],
    ['kube.a.b: [1697449735.123456789, {"log":"x","n":1}]', { tag: "kube.a.b", ts: "1697449735.123456789", body }],
    ['{"date":1697449735.123457,"log":"x","n":1}', { tag: "d", ts: "1697449735.123457000", body }],
    ['[1697449735.5, {"log":"x","n":1}]', { tag: "d", ts: "1697449735.500000000", body }],
    ['[[1697449735, {"m":1}], {"log":"x","n":1}]', { tag: "d", ts: "1697449735.000000000", meta: { m: 1 }, body }],
    ['{"log":"x","n":1}', { tag: "d", ts: "1700000000.000000000", body }],
  ];
  for (const [line, want] of cases) assert.deepEqual(one(line), { meta: {}, ...want }, line);
  assert.equal(one('kube.a: [1, {"log":"x"}]', { tag: "mine" }).tag, "mine", "--tag wins");
  assert.equal(one('{"log":"x"}', { eventTime: { sec: 5, nsec: 6 } }).ts, "5.000000006");
  const fixed = readJsonLines('{"log":"a"}\n\n{"log":"b"}\n', { now: 1_700_000_000_000 });
  assert.deepEqual(fixed.map((e) => e.nsec), [0, 2000], "read times 1 µs a line apart, blank lines counted");
});

test("the lossless form reads back what fbwasm wrote, byte for byte", () => {
  const evs = [makeEvent("t", 1, 999999999, mp.obj({ u: { t: "int", v: 18446744073709551615n }, b: { t: "bin", b: Uint8Array.of(0, 255) } }))];
  const back = readJsonLines(writeJsonLines(evs));
  assert.deepEqual(back.map((e) => [e.tag, e.sec, e.nsec, Buffer.from(e.body).toString("hex")]), evs.map((e) => [e.tag, e.sec, e.nsec, Buffer.from(e.body).toString("hex")]));
});

test("a line that is none of the forms is an error naming the file and the line", () => {
  const bad: [string, RegExp][] = [
    ["not json", /f\.txt:2: not JSON .*want one of/],
    ['"a string"', /f\.txt:2: want one of/],
    ['{"ts":"soon","body":{}}', /f\.txt:2: "ts":"soon" is not seconds/],
    ['{"ts":"1","body":[1]}', /f\.txt:2: the record is not a JSON object/],
    ['[1, 2, 3]', /f\.txt:2: an event array is \[time, \{record\}\]/],
  ];
  for (const [line, want] of bad) assert.throws(() => readJsonLines(`{"log":"ok"}\n${line}\n`, { file: "f.txt" }), want, line);
});

test("inputs are told apart by their content, not their name", () => {
  const kind = (s: string | Uint8Array) => inputKind(typeof s === "string" ? Buffer.from(s) : s);
  assert.equal(kind(writeMsgpackStream([makeEvent("t", 1, 0, mp.obj({ a: mp.int(1) }))])), "msgpack");
  assert.equal(kind("2023-10-16T09:48:55.123456789Z stderr F message\n"), "container-log");
  assert.equal(kind("2023-10-16T09:48:55.123456789+02:00 stdout P part"), "container-log");
  assert.equal(kind('{"log":"GET /\\n","stream":"stdout","time":"2023-10-16T09:48:55.1Z"}\n'), "container-log");
  assert.equal(kind('kube.x.log: [1697449735.123456789, {"log":"a"}]\n'), "json-lines");
  assert.equal(kind('{"date":1697449735.1,"log":"a","stream":"stdout","time":"x"}\n'), "json-lines");
  assert.equal(kind(""), "json-lines");
});

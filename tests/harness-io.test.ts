/**
 * Event streams in and out, the stdout rendering, and the two stages that carry a time into the
 * output (parser filter, es/opensearch @timestamp), checked against the recordings and against
 * an independent msgpack decoder (@msgpack/msgpack).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Decoder, ExtensionCodec } from "@msgpack/msgpack";
import { makeEvent, readMsgpackStream, writeJsonLines, writeMsgpackStream } from "../harness/events.ts";
import { readJsonLines } from "../harness/json-lines.ts";
import { MsgpackError, decode, encode, hex, mp, toView } from "../harness/msgpack.ts";
import { esTimestamp, fluentBitStrptime, parserStage } from "../harness/stages.ts";
import { formatStdout } from "../harness/stdout-format.ts";
import { RECORDINGS, runs } from "../harness/recordings.ts";

const all = runs();

test("every recorded stream reads losslessly: msgpack re-encodes byte for byte and matches the JSON Lines copy", () => {
  assert.ok(all.length > 0, "recordings present");
  for (const run of all) {
    const file = readFileSync(`${RECORDINGS}/${run.scenario}/records.${run.label}.msgpack`);
    const again = Buffer.from(writeMsgpackStream(run.events));
    assert.ok(again.equals(file), `${run.label}: re-encoded stream differs from byte ${[...again].findIndex((b, i) => b !== file[i])}`);
    const lines = readFileSync(`${RECORDINGS}/${run.scenario}/records.${run.label}.jsonl`, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    run.events.forEach((e, i) => assert.equal(`${e.sec}.${String(e.nsec).padStart(9, "0")}`, lines[i].ts, `${run.label} #${i}: ts`));
  }
});

test("an independent decoder (@msgpack/msgpack with an EventTime codec) reads the same events", () => {
  const codec = new ExtensionCodec();
  codec.register({ type: 0, encode: () => null, decode: (d: Uint8Array) => { const v = new DataView(d.buffer, d.byteOffset, 8); return { sec: v.getUint32(0), nsec: v.getUint32(4) }; } });
  for (const run of all.slice(0, 6)) {
    const file = readFileSync(`${RECORDINGS}/${run.scenario}/records.${run.label}.msgpack`);
    const theirs = [...new Decoder({ extensionCodec: codec, useBigInt64: true }).decodeMulti(file)] as any[];
    assert.equal(theirs.length, run.events.length);
    theirs.forEach(([[t], body], i) => {
      assert.deepEqual(t, { sec: run.events[i].sec, nsec: run.events[i].nsec });
      assert.deepEqual(Object.keys(body), Object.keys(toView(decode(run.events[i].body)) as object));
    });
  }
});

test("legacy [time, body] events, integer and float times, 64-bit ints, bin, ext and float32 survive a round trip", () => {
  const w = Buffer.concat([
    Buffer.from("92" + "ce6553f100" + "83a161cf" + "ffffffffffffffff" + "a162c403010203" + "a163ca3dcccccd", "hex"),
    Buffer.from("92" + "cb41d954fc40200000" + "81a165d40141", "hex"),
  ]);
  const evs = readMsgpackStream(w, "t");
  assert.equal(evs[0].format, "legacy");
  assert.equal(evs[0].timeKind, "int");
  assert.equal(evs[1].timeKind, "float");
  assert.equal(hex(writeMsgpackStream(evs)), hex(w));
  const back = readJsonLines(writeJsonLines(evs));
  assert.equal(hex(back[0].body), hex(evs[0].body), "JSON Lines keep uint64, bin and float32");
});

test("a corrupt stream is an error naming the byte offset", () => {
  const good = writeMsgpackStream([makeEvent("t", 1, 2, mp.obj({ a: mp.int(1) }))]);
  assert.throws(() => readMsgpackStream(Buffer.concat([good, good.subarray(0, good.length - 1)]), "t"), (e: unknown) => e instanceof MsgpackError && /offset \d+/.test(e.message));
  assert.throws(() => readMsgpackStream(Buffer.concat([good, Buffer.from([0xc1])]), "t"), /offset 1[0-9]/);
  assert.throws(() => readJsonLines('{"tag":"t","ts":"1.5s","body":{}}'), /line 1/);
});

test("stdout rendering matches Fluent Bit's stdout output for every recording", () => {
  for (const run of all) {
    const want = readFileSync(`${RECORDINGS}/${run.scenario}/stdout.${run.label}.txt`, "utf8").replace(/^\[\d+\] /gm, "");
    assert.equal(formatStdout(run.events).replace(/^\[\d+\] /gm, ""), want, run.label);
  }
});

const ev = (body: Record<string, string>) => makeEvent("t", 1700000000, 5, mp.obj(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, mp.str(v)]))));

test("parser filter: the event time from Key_Name, with nanoseconds and offsets", () => {
  const r = parserStage(ev({ _event_time: "2024-04-13T07:59:37.505201169-10:00", log: "x" }), { keyName: "_event_time", reserveData: true });
  assert.deepEqual({ sec: r.event.sec, nsec: r.event.nsec }, { sec: Date.UTC(2024, 3, 13, 17, 59, 37) / 1000, nsec: 505201169 });
  assert.deepEqual(toView(decode(r.event.body)), { log: "x" }, "the key is consumed; Reserve_Data keeps the rest");
});

test("parser filter traps: Preserve_Key + Time_Keep duplicates, Preserve_Key Off removes a value that fails", () => {
  const twice = parserStage(ev({ time: "2024-04-13T07:59:37.5Z", log: "x" }), { keyName: "time", preserveKey: true, timeKeep: true, reserveData: true });
  assert.deepEqual(decode(twice.event.body).t === "map" && (decode(twice.event.body) as any).entries.map(([k]: any) => Buffer.from(k.b).toString()), ["time", "time", "log"]);
  const bad = parserStage(ev({ time: "yesterday", log: "x" }), { keyName: "time", reserveData: true });
  assert.deepEqual(toView(decode(bad.event.body)), { log: "x" }, "the value is gone");
  assert.equal(bad.event.sec, 1700000000, "event time unchanged");
  assert.match(bad.log[0], /invalid time format/);
  const absent = parserStage(ev({ log: "x" }), { keyName: "_event_time", reserveData: true });
  assert.equal(hex(absent.event.body), hex(ev({ log: "x" }).body), "no key: untouched");
});

test("Fluent Bit's time parser normalises impossible dates (what the filter refuses to do)", () => {
  assert.deepEqual(fluentBitStrptime("2023-02-30T10:00:00.123456789Z", "%Y-%m-%dT%H:%M:%S.%L%z"), { sec: Date.UTC(2023, 2, 2, 10) / 1000, nsec: 123456789 });
  assert.equal(fluentBitStrptime("2023-10-16T09:50:58Z", "%Y-%m-%dT%H:%M:%S.%L%z"), undefined, "%S.%L needs a fraction (FB#7850)");
});

test("es/opensearch @timestamp: the record's own value wins, else the event time (ms, or ns with Time_Key_Nanos)", () => {
  assert.equal(esTimestamp(ev({ "@timestamp": "2020-01-01T00:00:00.123456789Z" })), "2020-01-01T00:00:00.123456789Z");
  assert.equal(esTimestamp(ev({ log: "x" })), "2023-11-14T22:13:20.000Z");
  assert.equal(esTimestamp(makeEvent("t", 1700000000, 123456789, mp.obj({}))), "2023-11-14T22:13:20.123Z");
  assert.equal(esTimestamp(makeEvent("t", 1700000000, 123456789, mp.obj({})), { timeKeyNanos: true }), "2023-11-14T22:13:20.123456789Z");
  assert.equal(esTimestamp(ev({ "@timestamp": "x", ts: "y" }), { timeKey: "ts" }), "y", "Time_Key names another key");
});

test("encode(decode(x)) is canonical msgpack-c output", () => {
  assert.equal(hex(encode(decode(Buffer.from("81a16ecf0000000000000001", "hex")))), "81a16e01");
  assert.equal(hex(encode(decode(Buffer.from("81a173d903616263", "hex")))), "81a173a3616263");
  assert.equal(hex(encode(decode(Buffer.from("81a166ca3dcccccd", "hex")))), "81a166ca3dcccccd", "float32 keeps its width");
});

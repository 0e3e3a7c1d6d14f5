/**
 * The CRI tag field is a list separated by `:` whose first element is `P` or `F` (the CRI API's
 * LogTagDelimiter; kubelet's reader splits the field and looks only at that element). The first
 * case is kubelet's own test line (pkg/kubelet/kuberuntime/logs, "partial log with multiple
 * tags"): kubelet reads it as a partial stdout piece whose message is `cri stdout partial test
 * log`. The filters agree with kubelet, write the first element as `_p`, and keep the other
 * tags visible in `cri_check.other_tags`; the Lua twin gives the same record.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { makeEvent } from "../harness/events.ts";
import { MpValue, decode, encode, mp, toView } from "../harness/msgpack.ts";
import { luaFilterEvents } from "../harness/lua-filter.ts";
import { canon } from "./helpers/canon.ts";

const EVENT = { sec: 1795415418, nsec: 559634260 };
const T = "2023-10-16T09:48:55.123456789Z";

type Expected = { log: string; _p?: string; partial?: true; unknown_tag?: true; other_tags?: string };
const CASES: [string, Record<string, string>, Expected][] = [
  ["kubelet's partial line with two more tags", { log: "2016-10-20T18:39:20.57606443Z stdout P:TAG1:TAG2 cri stdout partial test log" },
    { log: "cri stdout partial test log", _p: "P", partial: true, other_tags: "TAG1:TAG2" }],
  ["a full line with one more tag", { log: `${T} stderr F:x message\n` }, { log: "message", _p: "F", other_tags: "x" }],
  ["an empty list after the colon", { log: `${T} stdout P: piece` }, { log: "piece", _p: "P", partial: true, other_tags: "" }],
  ["a first element that is neither P nor F", { log: `${T} stdout X:P message\n` }, { log: "message", _p: "X", unknown_tag: true, other_tags: "P" }],
  ["a lone P is still partial, with no other tags", { log: `${T} stdout P piece` }, { log: "piece", _p: "P", partial: true }],
  ["glued raw lines ending in a tagged P piece", { log: `${T} stdout F first\n${T} stdout P:TAG second` },
    { log: "first\nsecond", _p: "F", partial: true }],
  // Split by a regex parser that keeps the whole field (the `cri` parser's logtag, read through tag_key):
  // a piece of exactly the runtime's split size is a lone piece whether or not more tags follow.
  ["an already split piece tagged P:TAG", { time: T, stream: "stdout", _p: "P:TAG", log: "x".repeat(16384) },
    { log: "x".repeat(16384), partial: true }],
];

const body = (o: Record<string, string>): MpValue => mp.obj(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, mp.str(v)])));

for (const [name, record, want] of CASES) {
  test(`CRI tags: ${name}`, () => {
    const ev = makeEvent("t", EVENT.sec, EVENT.nsec, encode(body(record)));
    const wasm = decode(new FilterWasm({ wasm: "build/cri_time.wasm", functionName: "cri_timestamp" }).filterChunk([ev]).events[0].body);
    const out = toView(wasm) as any;
    assert.equal(out.log, want.log);
    assert.equal(out._p, want._p ?? record._p);
    const check = out.cri_check ?? {};
    assert.equal(check.partial, want.partial);
    assert.equal(check.unknown_tag, want.unknown_tag);
    assert.equal(check.other_tags, want.other_tags);
    const lua = decode(luaFilterEvents("lua/cri_time.lua", "cri_timestamp", [ev])[0].body);
    assert.equal(canon(lua), canon(wasm), "the Lua twin gives the same record");
  });
}

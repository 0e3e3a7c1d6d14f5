/**
 * A time the event time cannot hold (seconds before 1970 or from 2^32 on): the filters write no
 * `_event_time` for it and flag it, `@timestamp` stays exact; the Lua twins set no event time.
 * (Fluent Bit 2.x would wrap such a time and 5.x loses the record in the parser filter:
 * docs/fluent-bit-facts.md, "Event time range"; tests/real-differential.test.ts shows both.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { makeEvent } from "../harness/events.ts";
import { decode, mp, toView } from "../harness/msgpack.ts";
import { luaFilterEvents } from "../harness/lua-filter.ts";

const EVENT = { sec: 1795415418, nsec: 559634260 };
const CASES: [string, boolean][] = [
  ["1969-12-31T23:59:59.999999999Z", false],
  ["0001-01-01T00:00:00Z", false],
  ["2106-02-07T06:28:16Z", false],
  ["9999-12-31T23:59:59.999999999Z", false],
  ["1970-01-01T00:00:00Z", true],
  ["2106-02-07T06:28:15.999999999Z", true],
];

for (const [time, holdable] of CASES) {
  test(`${time}: ${holdable ? "written as the event time" : "no event time, flagged, @timestamp exact"}`, () => {
    const ev = makeEvent("t", EVENT.sec, EVENT.nsec, mp.obj({ log: mp.str(`${time} stdout F message\n`) }));
    const wasm = new FilterWasm({ wasm: "build/cri_time.wasm", functionName: "cri_timestamp_and_event_time" }).filterChunk([ev]);
    const body = toView(decode(wasm.events[0].body)) as any;
    const lua = luaFilterEvents("lua/cri_time.lua", "cri_timestamp_and_event_time", [ev])[0];
    const luaBody = toView(decode(lua.body)) as any;
    assert.equal(body["@timestamp"] !== undefined, true, "@timestamp written");
    assert.equal(luaBody["@timestamp"], body["@timestamp"]);
    if (holdable) {
      assert.ok(body._event_time, "_event_time written");
      assert.equal(body.cri_check?.event_time_out_of_range, undefined);
      assert.notDeepEqual([lua.sec, lua.nsec], [EVENT.sec, EVENT.nsec], "the Lua twin sets the event time");
    } else {
      assert.equal(body._event_time, undefined, "no _event_time");
      assert.equal(body.cri_check?.event_time_out_of_range, true);
      assert.equal(luaBody.cri_check?.event_time_out_of_range, true);
      assert.deepEqual([lua.sec, lua.nsec], [EVENT.sec, EVENT.nsec], "the Lua twin keeps the event time");
    }
  });
}

/**
 * The record id (`id_key`, filters/record-id.ts): MurmurHash3 x86 128 of the container identity,
 * the written time, the stream and the message. Checked against an independent implementation
 * (the murmurhash3js package) over the documented byte layout, in the module and the Lua twin;
 * the same line read through either kubelet path, or from its rotated file, keeps its id; any
 * change of container, time, stream or message changes it; no time, no id. In real Fluent Bit the
 * es output sends the id as the document's `_id` (`Id_Key`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import murmur from "murmurhash3js";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { FbEvent, makeEvent } from "../harness/events.ts";
import { decode, encode, mp, toView } from "../harness/msgpack.ts";
import { luaFilterEvents } from "../harness/lua-filter.ts";
import { configure } from "../harness/configure.ts";
import { rfc3339ToNanos } from "../harness/stages.ts";
import { BulkReceiver } from "../harness/real/bulk-receiver.ts";
import { runFluentBit } from "../harness/real/run.ts";
import { aotFormatFor, aotPath } from "../scripts/aot.ts";
import { forEachFluentBit, persistentWasm } from "./helpers/real-fluent-bit.ts";
import { luaTextWithSettings } from "./helpers/lua-settings.ts";
import { CRI_SCHEMA } from "../harness/settings-block.ts";

const WASM = configure(readFileSync("build/cri_time.wasm"), { id_key: "_id" });
const LUA_TEXT = luaTextWithSettings(CRI_SCHEMA, { id_key: "_id" });
const EVENT = { sec: 1795415418, nsec: 559634260 };
const ID = "0123456789abcdef".repeat(4);
const T = "2023-10-16T09:48:55.123456789Z";
const CONTAINERS = `kube.var.log.containers.web-7d4b9c-x2x9z_shop_app-${ID}.log`;
const PODS = "kube.var.log.pods.shop_web-7d4b9c-x2x9z_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.app.0.log";

/** The id as the README defines it, computed with another implementation of the hash. */
function expectedId(identity: string, time: string, stream: string, message: string): string {
  const ns = rfc3339ToNanos(time)!;
  const sec = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n), nsec = Number(ns - sec * 1_000_000_000n);
  const t = Buffer.alloc(12);
  t.writeBigInt64LE(sec, 0);
  t.writeUInt32LE(nsec, 8);
  const bytes = Buffer.concat([Buffer.from(identity), Buffer.from([0]), t, Buffer.from(stream), Buffer.from([0]), Buffer.from(message)]);
  return murmur.x86.hash128(bytes.toString("latin1"));
}

function run(tag: string, body: Record<string, string>): { wasm: Record<string, unknown>; lua: Record<string, unknown> } {
  const ev = makeEvent(tag, EVENT.sec, EVENT.nsec, encode(mp.obj(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, mp.str(v)])))));
  const wasm = toView(decode(new FilterWasm({ wasm: WASM, functionName: "cri_timestamp" }).filterChunk([ev]).events[0].body)) as Record<string, unknown>;
  const lua = toView(decode(luaFilterEvents(luaScript(), "cri_timestamp", [ev])[0].body)) as Record<string, unknown>;
  return { wasm, lua };
}

/** The script with `id_key = "_id"` in its settings, as a user sets it. */
let written = "";
function luaScript(): string {
  if (!written) { written = join(mkdtempSync(join(tmpdir(), "fbwasm-id-")), "cri_time.lua"); writeFileSync(written, LUA_TEXT); }
  return written;
}

test("id_key is off by default: no id", () => {
  const ev = makeEvent(CONTAINERS, EVENT.sec, EVENT.nsec, encode(mp.obj({ log: mp.str(`${T} stdout F x\n`) })));
  const body = toView(decode(new FilterWasm({ wasm: "build/cri_time.wasm", functionName: "cri_timestamp" }).filterChunk([ev]).events[0].body)) as Record<string, unknown>;
  assert.equal(body._id, undefined);
});

test("the id is MurmurHash3 x86 128 of identity, time, stream and message, in the module and the Lua twin", () => {
  const cases: [string, Record<string, string>, string, string, string][] = [
    // tag, record, identity, stream, message the record ends with
    [CONTAINERS, { log: `${T} stdout F hello\n` }, "shop/web-7d4b9c-x2x9z/app", "stdout", "hello"],
    [PODS, { log: `${T} stderr F hello\n` }, "shop/web-7d4b9c-x2x9z/app", "stderr", "hello"],
    ["app.custom", { log: `${T} stdout F héllo "quoted" \\ back\n` }, "app.custom", "stdout", 'héllo "quoted" \\ back'],
    ["app.rotated.log.1", { time: T, stream: "stderr", _p: "F", log: "from the cri parser" }, "app.rotated.log", "stderr", "from the cri parser"],
    [CONTAINERS, { log: `${T} stdout F first\n2023-10-16T09:48:56Z stdout F second\n` }, "shop/web-7d4b9c-x2x9z/app", "stdout", "first\nsecond"],
    ["t", { log: `1969-12-31T23:59:59.5Z stdout F before 1970\n` }, "t", "stdout", "before 1970"],
    // Not a kubelet file name (no container name): the whole tag.
    [`kube.var.log.containers.p_ns_-${ID}.log`, { log: `${T} stdout F x\n` }, `kube.var.log.containers.p_ns_-${ID}.log`, "stdout", "x"],
  ];
  // Messages of every length modulo 16 reach every tail lane of the hash.
  for (let n = 0; n < 40; n++) cases.push(["t", { log: `${T} stdout F ${"abcdefghij".repeat(4).slice(0, n)}\n` }, "t", "stdout", "abcdefghij".repeat(4).slice(0, n)]);
  for (const [tag, body, identity, stream, message] of cases) {
    const { wasm, lua } = run(tag, body);
    assert.equal(wasm.log, message, `${tag}: the message`);
    const time = body.time ?? body.log.slice(0, body.log.indexOf(" "));
    const want = expectedId(identity, time, stream, message);
    assert.equal(wasm._id, want, `${tag} ${JSON.stringify(body)}: module`);
    assert.equal(lua._id, want, `${tag} ${JSON.stringify(body)}: Lua twin`);
  }
});

test("one line, one id: either kubelet path, any rotation suffix; another container, time, stream or message, another id", () => {
  const line = `${T} stdout F GET /healthz 200\n`;
  const same = [CONTAINERS, `${CONTAINERS}.1`, `${CONTAINERS}.20231016-094855`, PODS, `${PODS}.20231016-094855`, PODS.replace(".app.0.log", ".app.3.log")]
    .map((tag) => run(tag, { log: line }).wasm._id);
  assert.equal(new Set(same).size, 1, same.join(" "));
  const others = [
    run(CONTAINERS.replace("_app-", "_sidecar-"), { log: line }),
    run(CONTAINERS.replace("_shop_", "_other_"), { log: line }),
    run(CONTAINERS, { log: line.replace(".123456789Z", ".123456788Z") }),
    run(CONTAINERS, { log: line.replace("stdout", "stderr") }),
    run(CONTAINERS, { log: line.replace("200", "201") }),
    run(`${CONTAINERS}.gz`, { log: line }),
  ].map((r) => r.wasm._id);
  assert.equal(new Set([same[0], ...others]).size, others.length + 1, "all different");
});

test("no recovered time, no id: a record's own id is kept, none is made up", () => {
  const bodies: Record<string, string>[] = [{ log: "no time here" }, { log: "no time", _id: "kept" }, { other: "x", _id: "kept" }];
  for (const body of bodies) {
    const { wasm, lua } = run(CONTAINERS, body);
    assert.equal(wasm._id, body._id, JSON.stringify(body));
    assert.equal(lua._id, body._id, JSON.stringify(body));
  }
  const { wasm } = run(CONTAINERS, { log: `${T} stdout F x\n`, _id: "old" });
  assert.match(String(wasm._id), /^[0-9a-f]{32}$/, "a recovered time replaces the record's id");
});

forEachFluentBit("the record id reaches OpenSearch as _id", (bin) => {
  test(`Fluent Bit ${bin.version}: the es output sends the id of the AOT module and of the Lua twin as each document's _id (Id_Key)`, async () => {
    const receiver = new BulkReceiver();
    await receiver.start();
    try {
      const lines = [`${T} stdout F one\n`, `${T} stdout F two\n`, "2023-10-16T09:48:56Z stderr F three\n"];
      const events: FbEvent[] = lines.map((l) => makeEvent(CONTAINERS, EVENT.sec, EVENT.nsec, encode(mp.obj({ log: mp.str(l) }))));
      const aot = configure(readFileSync(aotPath("build/cri_time.wasm", aotFormatFor(bin.version), "x86_64")), { id_key: "_id" });
      const config = `[SERVICE]
    Flush 0.2
    Grace 1
[INPUT]
    Name forward
    Listen 127.0.0.1
    Port {{PORT}}
${persistentWasm(bin.version) ? "    threaded on\n" : ""}[FILTER]
    Name wasm
    Match w.*
    Wasm_Path {{DIR}}/m.aot
    Function_Name cri_timestamp
[FILTER]
    Name lua
    Match l.*
    Script {{DIR}}/cri_time.lua
    Call cri_timestamp
    Time_as_Table On
[OUTPUT]
    Name es
    Match *
    Host 127.0.0.1
    Port ${receiver.port}
    Index logs
    Id_Key _id
    Suppress_Type_Name On
    Retry_Limit False
`;
      await runFluentBit({
        bin: bin.path, config, files: { "m.aot": aot, "cri_time.lua": LUA_TEXT },
        forward: [{ tag: "w.x", events: events.map((e) => ({ ...e, tag: "w.x" })) }, { tag: "l.x", events: events.map((e) => ({ ...e, tag: "l.x" })) }],
        quietMs: 2000, watch: () => String(receiver.docs.length),
      });
      const want = lines.map((l) => expectedId("w.x", l.slice(0, l.indexOf(" ")), l.includes("stderr") ? "stderr" : "stdout", l.slice(l.indexOf(" F ") + 3, -1)));
      const wantLua = lines.map((l) => expectedId("l.x", l.slice(0, l.indexOf(" ")), l.includes("stderr") ? "stderr" : "stdout", l.slice(l.indexOf(" F ") + 3, -1)));
      assert.equal(receiver.docs.length, 6, "every record indexed");
      assert.deepEqual(receiver.docs.map((d) => d.id).sort(), [...want, ...wantLua].sort(), "the ids of the wasm filter and of the Lua twin are the documents' _id");
    } finally {
      await receiver.stop();
    }
  });
});

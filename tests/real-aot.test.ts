/**
 * The AOT files of build/aot/: what their headers say (every file, the aarch64 ones included,
 * which this x86_64 machine cannot run), and what real Fluent Bit does with each x86_64 file:
 * the file of its own format loads and filters (tests/real-differential.test.ts compares its
 * output with the `.wasm`'s, event by event) and takes settings written by `fbwasm configure`;
 * the other format, or the other CPU, is refused with a log line, and then 2.x passes every
 * record on unfiltered while 4.1+ does not start at all.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { makeEvent } from "../harness/events.ts";
import { decode, encode, mp, toView } from "../harness/msgpack.ts";
import { runFluentBit } from "../harness/real/run.ts";
import { configure } from "../harness/configure.ts";
import { AOT_ARCHES, AOT_FORMATS, aotFormatFor, aotPath, readAotHeader } from "../scripts/aot.ts";
import { forEachFluentBit, outEvents, persistentWasm } from "./helpers/real-fluent-bit.ts";

interface ManifestAot { file: string; sha256: string; format: number; arch: string; fromWasmSha256: string }
const manifest = JSON.parse(readFileSync("build/manifest.json", "utf8")) as { modules: { wasm: string; sha256: string; aot: ManifestAot[] }[] };
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

test("build/manifest.json lists every AOT file of every module: both formats, both CPUs, with its sha256", () => {
  for (const m of manifest.modules) {
    const want = AOT_FORMATS.flatMap((f) => AOT_ARCHES.map((a) => aotPath(m.wasm, f.format, a.arch))).sort();
    assert.deepEqual(m.aot.map((a) => a.file).sort(), want, m.wasm);
    for (const a of m.aot) {
      assert.equal(sha256(readFileSync(a.file)), a.sha256, `${a.file}: sha256`);
      assert.equal(a.fromWasmSha256, sha256(readFileSync(m.wasm)), `${a.file} was compiled from the current ${m.wasm}`);
    }
  }
});

test("each AOT file's header says the format and CPU architecture its name and the manifest say", () => {
  for (const a of manifest.modules.flatMap((m) => m.aot)) {
    const h = readAotHeader(readFileSync(a.file));
    const arch = AOT_ARCHES.find((x) => x.arch === a.arch)!;
    assert.equal(h.format, a.format, `${a.file}: format`);
    assert.equal(h.eMachine, arch.eMachine, `${a.file}: ELF machine`);
    assert.match(h.arch, arch.name, `${a.file}: target name ${h.arch}`);
  }
  assert.throws(() => readAotHeader(readFileSync("build/cri_time.wasm")), /not an AOT file/);
});

const RAW = "2023-10-16T09:48:55.123456789Z stdout F hello";
const event = makeEvent("a", 1795415418, 559634260, encode(mp.obj({ log: mp.str(RAW) })));

function config(version: string, file: string): string {
  return `[SERVICE]
    Flush     0.2
    Grace     1
    Log_Level info
[INPUT]
    Name   forward
    Listen 127.0.0.1
    Port   {{PORT}}
${persistentWasm(version) ? "    threaded on\n" : ""}[FILTER]
    Name          wasm
    Match         *
    Wasm_Path     {{DIR}}/${file}
    Function_Name cri_timestamp
[OUTPUT]
    Name   file
    Match  *
    Path   {{DIR}}/out
    Format msgpack
`;
}

forEachFluentBit("AOT files in real Fluent Bit", (bin) => {
  const format = aotFormatFor(bin.version);
  const own = aotPath("build/cri_time.wasm", format, "x86_64");

  test(`Fluent Bit ${bin.version}: ${own} takes the settings fbwasm configure writes into it`, async () => {
    const configured = configure(readFileSync(own), { check_key: "diag", timestamp_key: "ts" });
    const run = await runFluentBit({ bin: bin.path, config: config(bin.version, "m.aot"), files: { "m.aot": configured }, forward: [{ tag: "a", events: [event] }] });
    const body = toView(decode(outEvents(run.outputs, "a")[0].body)) as Record<string, unknown>;
    assert.equal(body.ts, "2023-10-16T09:48:55.123456789Z");
    assert.ok(body.diag, "the diagnostics under the configured key");
    assert.equal(body["@timestamp"], undefined);
  });

  const wrong: [string, string, RegExp][] = [
    [`the other AOT format`, aotPath("build/cri_time.wasm", format === 3 ? 5 : 3, "x86_64"), /AOT module load failed: unknown binary version/],
    [`the aarch64 file`, aotPath("build/cri_time.wasm", format, "aarch64"), /AOT module load failed: invalid target type, expected x86_64 but got aarch64v8/],
  ];
  for (const [what, file, says] of wrong) {
    if (persistentWasm(bin.version)) {
      test(`Fluent Bit ${bin.version}: ${what} (${file}) stops start-up`, async () => {
        const run = await runFluentBit({ bin: bin.path, config: config(bin.version, "m.aot"), files: { "m.aot": readFileSync(file) }, untilExit: true, expectsFailure: true, timeoutMs: 30_000 });
        assert.notEqual(run.exitCode, 0);
        assert.match(run.log, says);
        assert.match(run.log, /failed to instantiate wasm program/);
      });
    } else {
      test(`Fluent Bit ${bin.version}: ${what} (${file}) is refused at every batch, and every record passes on unfiltered`, async () => {
        const run = await runFluentBit({ bin: bin.path, config: config(bin.version, "m.aot"), files: { "m.aot": readFileSync(file) }, forward: [{ tag: "a", events: [event] }, { tag: "a", events: [event] }] });
        assert.equal(run.log.match(new RegExp(says.source, "g"))?.length, 2, "one refusal a batch");
        const out = outEvents(run.outputs, "a");
        assert.equal(out.length, 2);
        for (const e of out) assert.deepEqual(toView(decode(e.body)), { log: RAW }, "unfiltered");
      });
    }
  }
});

/**
 * Filters of one's own: every folder of filters/ (made by `fbwasm new NAME`, harness/scaffold.ts)
 * is built, and each of its cases (cases.jsonl: a record in, the record out or null for dropped)
 * must hold in the harness as Fluent Bit 2.1.8 and 5.1.1, and in every real Fluent Bit found.
 * The scaffold itself is checked the same way: what `fbwasm new` writes passes as it is.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { fromView, makeEvent } from "../harness/events.ts";
import { decode, encode } from "../harness/msgpack.ts";
import { runFluentBit } from "../harness/real/run.ts";
import { readModuleInfo } from "../harness/wasm-binary.ts";
import { canon } from "./helpers/canon.ts";
import { forEachFluentBit, outEvents, persistentWasm } from "./helpers/real-fluent-bit.ts";
import { FilterCase, filterFolder } from "./helpers/user-filters.ts";

const want = (c: FilterCase) => (c.out === null ? null : canon(fromView(c.out)));
const events = (cases: FilterCase[], tag: string) => cases.map((c) => makeEvent(tag, 1700000000, 5, encode(fromView(c.in))));

function checkInHarness(name: string, wasm: Uint8Array, cases: FilterCase[]): void {
  assert.deepEqual(readModuleInfo(wasm).imports, [], `${name} imports nothing`);
  for (const version of ["2.1.8", "5.1.1"]) {
    const f = new FilterWasm({ wasm, functionName: name, fluentBitVersion: version });
    cases.forEach((c, i) => {
      const out = f.filterChunk(events([c], "t"));
      assert.equal(out.events.length ? canon(decode(out.events[0].body)) : null, want(c), `${name} case ${i + 1} as Fluent Bit ${version}`);
    });
  }
}

function checkInFluentBit(name: string, wasm: Uint8Array, cases: FilterCase[]): void {
  forEachFluentBit(`${name} in real Fluent Bit`, (bin) => {
    test(`${name}: every case in real Fluent Bit ${bin.version}`, async () => {
      const config = `[SERVICE]\n    Flush 0.2\n[INPUT]\n    Name forward\n    Port {{PORT}}\n${persistentWasm(bin.version) ? "    threaded on\n" : ""}[FILTER]\n    Name wasm\n    Match *\n    Wasm_Path {{DIR}}/f.wasm\n    Function_Name ${name}\n[OUTPUT]\n    Name file\n    Match *\n    Path {{DIR}}/out\n    File out\n    Format msgpack\n`;
      const run = await runFluentBit({ bin: bin.path, config, files: { "f.wasm": wasm }, forward: [{ tag: "t", events: events(cases, "t") }] });
      const got = outEvents(run.outputs, "out").map((e) => canon(decode(e.body)));
      assert.deepEqual(got, cases.map(want).filter((x) => x !== null));
    });
  });
}

const folders = existsSync("filters") ? readdirSync("filters", { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join("filters", d.name)) : [];
for (const dir of folders) {
  const { name, wasm, cases } = filterFolder(dir);
  test(`filters/${name}: every case in the harness`, () => checkInHarness(name, wasm, cases));
  checkInFluentBit(name, wasm, cases);
}

// What `fbwasm new` writes, made in a scratch folder of the clone (a filter is built inside it).
mkdirSync("tests/.probes", { recursive: true });
const parent = mkdtempSync("tests/.probes/new-");
const made = spawnSync(process.execPath, ["bin/fbwasm.mjs", "new", "drop_debug", "--dir", parent], { encoding: "utf8" });
test("fbwasm new NAME writes a filter and its cases; a bad name or an existing folder is refused", () => {
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, /drop_debug\.ts/);
  const again = spawnSync(process.execPath, ["bin/fbwasm.mjs", "new", "drop_debug", "--dir", parent], { encoding: "utf8" });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /exists already/);
  const bad = spawnSync(process.execPath, ["bin/fbwasm.mjs", "new", "Drop-Debug", "--dir", parent], { encoding: "utf8" });
  assert.match(bad.stderr, /lower case letters, digits and _/);
  const outside = spawnSync(process.execPath, ["bin/fbwasm.mjs", "new", "drop_debug", "--dir", tmpdir()], { encoding: "utf8" });
  assert.match(outside.stderr, /is outside the clone/);
});
if (made.status === 0) {
  const scaffolded = filterFolder(join(parent, "drop_debug"));
  test("the scaffold passes its own cases in the harness", () => checkInHarness("drop_debug", scaffolded.wasm, scaffolded.cases));
  checkInFluentBit("drop_debug", scaffolded.wasm, scaffolded.cases);
}

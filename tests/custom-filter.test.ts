/** The custom-filter template in examples/ builds on the core and passes in the harness. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { compileAs } from "../scripts/asc.ts";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { makeEvent } from "../harness/events.ts";
import { decode, mp, toView } from "../harness/msgpack.ts";
import { readModuleInfo } from "../harness/wasm-binary.ts";

test("the template builds into a module that imports nothing and adds the tag", () => {
  mkdirSync("tests/.probes", { recursive: true });
  compileAs("examples/custom-filter/add_tag.ts", "tests/.probes/add_tag.wasm");
  const wasm = readFileSync("tests/.probes/add_tag.wasm");
  const info = readModuleInfo(wasm);
  assert.deepEqual(info.imports, []);
  assert.equal(info.hasStart, false);
  for (const version of ["5.1.1", "2.1.8"]) {
    const f = new FilterWasm({ wasm, functionName: "add_tag", fluentBitVersion: version });
    const out = f.filterChunk([
      makeEvent("kube.app", 1, 2, mp.obj({ log: mp.str("hello"), n: mp.int(1) })),
      makeEvent("kube.app", 1, 2, mp.map([[mp.int(1), mp.str("a")]])), // a key Fluent Bit prints unquoted
    ]);
    assert.deepEqual(out.log, []);
    assert.deepEqual(out.events.map((e) => toView(decode(e.body))), [
      { log: "hello", n: 1, fluent_tag: "kube.app" },
      { "1": "a", fluent_tag: "kube.app" },
    ]);
  }
});

/**
 * The AssemblyScript unit tests (tests/unit/*.spec.ts, as-pect): table-driven boundaries of every
 * core module, compiled and run by as-pect. Run here so that `npm test` is the one command.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

const asp = "node_modules/@as-pect/cli/bin/asp.js";

test("as-pect unit tests of the AssemblyScript core", () => {
  const r = spawnSync(process.execPath, [asp, "--config", "tests/unit/as-pect.config.js", "--as-config", "tests/unit/as-pect.asconfig.json", "--no-logo"], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
  const output = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, "");
  const tests = /\[Tests\]: (\d+) \/ (\d+)/.exec(output);
  assert.equal(r.status, 0, output);
  assert.ok(tests && Number(tests[2]) > 0 && tests[1] === tests[2], output);
});

/**
 * Golden files: every folder under tests/golden/ (recorded streams + fbwasm.json + reviewed
 * `*.expected.jsonl`) must still produce exactly its expected output. Add your own cluster's
 * records as a folder here (README, "Your own records").
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { golden } from "../harness/golden.ts";

const ROOT = "tests/golden";
const folders = readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, "fbwasm.json")));

test("there is at least the bundled golden folder", () => assert.ok(folders.includes("original-report")));

for (const dir of folders) {
  test(`golden ${dir}`, () => {
    const results = golden(join(ROOT, dir), false);
    assert.ok(results.length > 0, "at least one recorded stream");
    for (const r of results) assert.equal(r.status, "same", `${r.file}\n${r.diffs.slice(0, 5).join("\n")}`);
  });
}

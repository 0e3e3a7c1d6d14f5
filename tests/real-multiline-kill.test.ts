/**
 * Why a stop can lose a multiline group in real Fluent Bit (README, "Rolling updates"): tail with
 * a multiline parser holds the group it is building in memory until a line that ends it or its
 * flush_timeout, while its DB offset is already past those lines. Stopped meanwhile, by SIGKILL
 * or by SIGTERM alike (its shutdown does not flush the group), the restarted Fluent Bit resumes
 * after them: the group is gone. The parser is the eks-opensearch and lua examples' python-custom
 * (groups consecutive stderr lines, flush_timeout 1000 ms).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMsgpackStream } from "../harness/events.ts";
import { asText, decode, mapGet } from "../harness/msgpack.ts";
import { FluentBitProcess } from "../harness/real/process.ts";
import { forEachFluentBit } from "./helpers/real-fluent-bit.ts";

const PARSERS = readFileSync("examples/eks-opensearch/parsers.conf", "utf8");
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Starts Fluent Bit, writes a complete line and, once it is delivered, the lines of a group; `waitMs` later stops it as told, and starts it again. */
async function groupAcrossStop(bin: string, how: "SIGTERM" | "SIGKILL", waitMs = 300): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "fbwasm-mlkill-"));
  try {
    for (const d of ["containers", "state", "out"]) mkdirSync(join(dir, d));
    writeFileSync(join(dir, "parsers.conf"), PARSERS);
    writeFileSync(join(dir, "fluent-bit.conf"), `[SERVICE]\n    Flush 0.2\n    Grace 5\n    Parsers_File ${dir}/parsers.conf\n[INPUT]\n    Name tail\n    Path ${dir}/containers/*.log\n    multiline.parser python-custom\n    DB ${dir}/state/tail.db\n    Read_from_Head On\n    Refresh_Interval 1\n[OUTPUT]\n    Name file\n    Match *\n    Path ${dir}/out\n    File out\n    Format msgpack\n`);
    const file = join(dir, "containers", "app.log");
    const logs = () => { try { return readMsgpackStream(readFileSync(join(dir, "out", "out")), "t").map((e) => asText(mapGet(decode(e.body), "log")) ?? ""); } catch { return []; } };
    writeFileSync(file, "2023-10-16T09:48:55.000000001Z stdout F before\n");
    let fb = new FluentBitProcess(bin, join(dir, "fluent-bit.conf"), { cwd: dir });
    for (let i = 0; i < 100 && !logs().some((l) => l.includes("before")); i++) await sleep(100);
    assert.ok(logs().some((l) => l.includes("before")), `the first line was delivered\n${fb.log.slice(-2000)}`);
    // The group: stderr lines, still open (no line that ends it, its flush_timeout not reached).
    appendFileSync(file, "2023-10-16T09:48:56.000000001Z stderr F Traceback (most recent call last):\n2023-10-16T09:48:56.000000002Z stderr F   File \"app.py\", line 1\n");
    await sleep(waitMs);
    await fb.stop(how);
    // A line that ends any group, written while Fluent Bit is down; then the new process.
    appendFileSync(file, "2023-10-16T09:48:57.000000001Z stdout F after\n");
    fb = new FluentBitProcess(bin, join(dir, "fluent-bit.conf"), { cwd: dir });
    for (let i = 0; i < 100 && !logs().some((l) => l.includes("after")); i++) await sleep(100);
    await sleep(1500);
    await fb.stop("SIGTERM");
    return logs();
  } finally {
    if (!process.env.FBWASM_KEEP_RUNS) rmSync(dir, { recursive: true, force: true });
  }
}

forEachFluentBit("a multiline group pending at a stop", (bin) => {
  for (const how of ["SIGKILL", "SIGTERM"] as const) {
    test(`Fluent Bit ${bin.version}: a group tail's multiline parser is still building is lost at a ${how}`, async () => {
      const got = await groupAcrossStop(bin.path, how);
      assert.ok(got.some((l) => l.includes("after")), `the line after the restart arrived: ${JSON.stringify(got)}`);
      assert.ok(!got.some((l) => l.includes("Traceback")), `the pending group is lost: ${JSON.stringify(got)}`);
    });
  }
  test(`Fluent Bit ${bin.version}: a group that its flush_timeout closed before the stop is delivered`, async () => {
    const got = await groupAcrossStop(bin.path, "SIGTERM", 2000);
    assert.ok(got.some((l) => l.includes("Traceback") && l.includes("File")), `the closed group arrived: ${JSON.stringify(got)}`);
  });
});

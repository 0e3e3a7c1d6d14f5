/**
 * `fbwasm run` on a container log file as it is on a node: the records and tags it makes are
 * those real Fluent Bit's tail input makes from the same file (a CRI file read without a parser,
 * a docker json-file read with the `docker` parser), on every binary found; the event time modes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readContainerLog, parseEventTime, tailTag } from "../harness/container-log.ts";
import { decode, toView } from "../harness/msgpack.ts";
import { loadEvents } from "../harness/inputs.ts";
import { runFluentBit } from "../harness/real/run.ts";
import { forEachFluentBit, outEvents } from "./helpers/real-fluent-bit.ts";

const CRI_DIR = "tests/recordings/cri-builtin/input/var/log/containers";
const CRI_NAME = readdirSync(CRI_DIR).find((f) => f.endsWith(".log"))!;
const CRI = readFileSync(join(CRI_DIR, CRI_NAME), "utf8");
const DOCKER_NAME = `web-1_shop_app-${"d".repeat(64)}.log`;
const DOCKER = [
  { log: "GET /healthz 200\n", stream: "stdout", time: "2023-10-16T09:48:55.123456789Z" },
  { log: "Traceback (most recent call last):\n", stream: "stderr", time: "2023-10-16T09:48:55.2Z" },
  { log: "no final line break", stream: "stdout", time: "2023-10-16T09:48:56Z" },
].map((o) => JSON.stringify(o)).join("\n") + "\n";

test("container log files: tail's tag, one record per line, the event time modes", () => {
  assert.equal(tailTag("/var/log/containers/x.log"), "kube.var.log.containers.x.log");
  const read = readContainerLog("a\nb\n", "/var/log/containers/x.log", { now: 1_700_000_000_123 });
  assert.deepEqual(read.map((e) => [e.tag, e.sec, e.nsec]), [["kube.var.log.containers.x.log", 1_700_000_000, 123_000_000], ["kube.var.log.containers.x.log", 1_700_000_000, 123_001_000]]);
  const stuck = readContainerLog("a\nb\n", "x.log", { now: 1_700_000_000_123, eventTime: "stuck", tag: "t" });
  assert.deepEqual(stuck.map((e) => [e.tag, e.sec, e.nsec]), [["t", 1_700_000_000, 123_000_000], ["t", 1_700_000_000, 123_000_000]]);
  const fixed = readContainerLog("a\n", "x.log", { eventTime: parseEventTime("1697449735.000000001") });
  assert.deepEqual([fixed[0].sec, fixed[0].nsec], [1697449735, 1]);
  assert.throws(() => parseEventTime("1697449735"), /want read, stuck or <sec>\.<9 digits>/);
});

forEachFluentBit("container log files read as tail reads them", (bin) => {
  test(`Fluent Bit ${bin.version}: tail makes the same records and tags from the same files`, async () => {
    const config = `[SERVICE]
    Flush        0.2
    Grace        1
    Parsers_File {{DIR}}/parsers.conf
[INPUT]
    Name           tail
    Tag            kube.*
    Path           {{DIR}}/cri/*.log
    Read_from_Head On
[INPUT]
    Name           tail
    Tag            kube.*
    Path           {{DIR}}/docker/*.log
    Parser         docker
    Read_from_Head On
[OUTPUT]
    Name   file
    Match  *
    Path   {{DIR}}/out
    Format msgpack
`;
    // The docker parser as Fluent Bit's own parsers.conf defines it.
    const parsers = "[PARSER]\n    Name        docker\n    Format      json\n    Time_Key    time\n    Time_Format %Y-%m-%dT%H:%M:%S.%L\n    Time_Keep   On\n";
    const run = await runFluentBit({
      bin: bin.path, config, files: { [`cri/${CRI_NAME}`]: CRI, [`docker/${DOCKER_NAME}`]: DOCKER, "parsers.conf": parsers },
      quietMs: 2500,
    });
    for (const [sub, name, text] of [["cri", CRI_NAME, CRI], ["docker", DOCKER_NAME, DOCKER]] as const) {
      const path = join(run.dir, sub, name);
      // Read as fbwasm run reads a file (harness/inputs.ts), under the tag tail gives this path.
      const copy = join(mkdtempSync(join(tmpdir(), "fbwasm-clog-")), name);
      writeFileSync(copy, text);
      const want = loadEvents(copy, { tag: tailTag(path) });
      const got = outEvents(run.outputs, want[0].tag);
      assert.equal(got.length, want.length, `${sub}: records`);
      assert.deepEqual(got.map((e) => toView(decode(e.body))), want.map((e) => toView(decode(e.body))), `${sub}: bodies`);
    }
  });
});

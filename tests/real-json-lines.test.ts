/**
 * The JSON lines users have come from Fluent Bit's own outputs; fbwasm reads them as the events
 * they print. Real Fluent Bit (every binary found) gets the same events once through the forward
 * input and writes them four ways: out_file `Format msgpack` (the ground truth), out_file's
 * default `TAG: [time, {record}]` lines (in a file named `.log`, as out_file names files after
 * tags, so the content must decide, not the name), out_file `Format plain` and the stdout output's
 * `Format json_lines`. Each read back must give the ground truth's records, and the times each
 * form carries: all nine digits (default), microseconds (json_lines), none (plain).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FbEvent, makeEvent } from "../harness/events.ts";
import { inputKind, loadEvents } from "../harness/inputs.ts";
import { decode, mp } from "../harness/msgpack.ts";
import { runFluentBit } from "../harness/real/run.ts";
import { canon } from "./helpers/canon.ts";
import { forEachFluentBit, outEvents } from "./helpers/real-fluent-bit.ts";
import { runs } from "../harness/recordings.ts";

const recorded = runs().flatMap((r) => r.events).slice(0, 300);
const made = [
  mp.obj({ log: mp.str("quotes \" backslash \\ tab \t é 日本 \u0001"), n: mp.int(-5), big: mp.int(2 ** 40), f: mp.f64(1.5), t: mp.bool(true), z: mp.nil(), a: mp.arr([mp.int(1), mp.str("x")]), m: mp.obj({ k: mp.obj({ deep: mp.str("y") }) }) }),
  mp.obj({ log: mp.str("") }),
];
const EVENTS: FbEvent[] = [
  ...recorded.map((e) => makeEvent("", e.sec, e.nsec, e.body)),
  ...made.map((b, i) => makeEvent("", 1697449735 + i, [123456789, 999999999][i], b)),
];
const TAG = "kube.var.log.containers.app.log";

const CONFIG = `[SERVICE]
    Flush 0.2
    Log_Level warn
[INPUT]
    Name forward
    Port {{PORT}}
[OUTPUT]
    Name   file
    Match  *
    Path   {{DIR}}/out
    File   truth.msgpack
    Format msgpack
[OUTPUT]
    Name   file
    Match  *
    Path   {{DIR}}/out
    File   kube.var.log.containers.app.log
[OUTPUT]
    Name   file
    Match  *
    Path   {{DIR}}/out
    File   plain.txt
    Format plain
[OUTPUT]
    Name   stdout
    Match  *
    Format json_lines
`;

forEachFluentBit("JSON lines as Fluent Bit's outputs write them", (bin) => {
  test(`JSON lines from Fluent Bit ${bin.version}'s out_file and stdout read back as the events they print`, async () => {
    const run = await runFluentBit({ bin: bin.path, config: CONFIG, forward: [{ tag: TAG, events: EVENTS }] });
    const truth = outEvents(run.outputs, "truth.msgpack", TAG);
    assert.equal(truth.length, EVENTS.length, run.log.slice(-2000));
    const dir = mkdtempSync(join(tmpdir(), "fbwasm-json-lines-"));
    const file = (name: string, bytes: Uint8Array | string) => { const p = join(dir, name); writeFileSync(p, bytes); return p; };
    const stdoutLines = run.log.split("\n").filter((l) => l.startsWith('{"date":')).join("\n") + "\n";
    const forms = {
      default: file("kube.var.log.containers.app.log", run.outputs.get("kube.var.log.containers.app.log")!),
      plain: file("plain.txt", run.outputs.get("plain.txt")!),
      json_lines: file("stdout.txt", stdoutLines),
    };
    for (const [form, path] of Object.entries(forms)) {
      const bytes = Buffer.from(path === forms.json_lines ? stdoutLines : run.outputs.get(form === "default" ? "kube.var.log.containers.app.log" : "plain.txt")!);
      assert.equal(inputKind(bytes), "json-lines", `${form}: read as JSON lines`);
      const got = loadEvents(path, { eventTime: { sec: 1, nsec: 2 } });
      assert.equal(got.length, truth.length, form);
      got.forEach((e, i) => {
        const want = truth[i];
        assert.equal(canon(decode(e.body)), canon(decode(want.body)), `${form} record ${i}`);
        if (form === "default") {
          assert.equal(e.tag, TAG);
          assert.deepEqual([e.sec, e.nsec], [want.sec, want.nsec], `${form} record ${i}: all nine digits`);
        } else if (form === "json_lines") {
          // Fluent Bit prints the time as a double with 6 digits: within a microsecond of the event time.
          const us = (x: FbEvent) => x.sec * 1e6 + x.nsec / 1e3;
          assert.ok(Math.abs(us(e) - us(want)) <= 1, `${form} record ${i}: ${e.sec}.${e.nsec} vs ${want.sec}.${want.nsec}`);
          assert.equal(e.nsec % 1000, 0);
        } else {
          assert.deepEqual([e.sec, e.nsec], [1, 2], "plain lines carry no time: --event-time gives it");
        }
      });
    }
  });
});

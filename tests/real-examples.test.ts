/**
 * Every example, classic and YAML, in real Fluent Bit on every binary found:
 *   - `--dry-run` of the example with its paths mapped to real files;
 *   - an end-to-end run: tail over the raw container log files of the scenarios the example is
 *     written for, the example's own inputs, parsers and filters (the kubernetes filter against a
 *     local API stand-in), the es/opensearch outputs sent to a local _bulk receiver that reads
 *     documents as strictly as OpenSearch does, every other output written by out_file
 *     (harness/real/local-example.ts).
 * Every line of those files must reach every output, in a record whose time is the time written
 * in the record's first line (to the nanosecond at es/opensearch, which get the record's own
 * @timestamp; as Fluent Bit's parser filter reads it where that filter sets the event time), and
 * no document may be refused.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FbEvent, readMsgpackStream } from "../harness/events.ts";
import { asText, decode, mapGet, toView } from "../harness/msgpack.ts";
import { rfc3339ToNanos } from "../harness/stages.ts";
import { BulkReceiver } from "../harness/real/bulk-receiver.ts";
import { KubeApiStandIn } from "../harness/real/kube-api.ts";
import { LocalEndpoints, localClassic, localYaml } from "../harness/real/local-example.ts";
import { FluentBitRun, freePort, runFluentBit } from "../harness/real/run.ts";
import { EXAMPLES, HELM_RECORDINGS, helmFiles } from "./helpers/examples.ts";
import { RECORDINGS, parserNanos } from "../harness/recordings.ts";
import { forEachFluentBit } from "./helpers/real-fluent-bit.ts";
import { aotFormatFor, aotPath } from "../scripts/aot.ts";

/** What the Helm values' init container mounts as cri_time.aot: the AOT file of the node's Fluent Bit and CPU. */
const aotMount = (version: string) => ({ "wasm/cri_time.aot": readFileSync(aotPath("build/cri_time.wasm", aotFormatFor(version), "x86_64")) });

/** A CRI line of a container log file: its message text and the instant its time says. */
interface Line { file: string; text: string; nanos: bigint | undefined }

const CRI = /^(\S+) (stdout|stderr) (\S+) ?(.*)$/;

/** The lines of the `*.log` files of the scenarios (what `Path /var/log/containers/*.log` reads). */
function containerFiles(scenarios: string[]): { files: Record<string, Uint8Array>; lines: Line[] } {
  const files: Record<string, Uint8Array> = {};
  const lines: Line[] = [];
  for (const s of scenarios) {
    const dir = join(RECORDINGS, s, "input", "var", "log", "containers");
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".log"))) {
      const bytes = readFileSync(join(dir, f));
      files[`containers/${f}`] = bytes;
      for (const l of bytes.toString("utf8").split("\n")) {
        const m = CRI.exec(l);
        if (m) lines.push({ file: f, text: m[4], nanos: rfc3339ToNanos(m[1]) });
      }
    }
  }
  return { files, lines };
}

/** The record holds the fields of this JSON line (the kubernetes filter's Merge_Log put them there). */
function mergedFrom(text: string, body: Record<string, unknown>): boolean {
  if (!text.startsWith("{")) return false;
  let o: unknown;
  try { o = JSON.parse(text); } catch { return false; }
  if (!o || typeof o !== "object" || Array.isArray(o)) return false;
  return Object.entries(o).every(([k, v]) => JSON.stringify(body[k]) === JSON.stringify(v));
}

interface Delivered { output: string; time: bigint; body: Record<string, unknown>; viaParser: boolean }

function nanosOf(e: FbEvent): bigint { return BigInt(e.sec) * 1_000_000_000n + BigInt(e.nsec); }

/** What reached each output: documents at the receiver, events in out_file's files. */
function delivered(run: FluentBitRun, receiver: BulkReceiver, viaParser: boolean): Delivered[] {
  const out: Delivered[] = [];
  for (const d of receiver.docs) {
    const ts = typeof d.doc["@timestamp"] === "string" ? rfc3339ToNanos(d.doc["@timestamp"] as string) : undefined;
    out.push({ output: "opensearch", time: ts ?? -1n, body: d.doc, viaParser: false });
  }
  for (const [name, bytes] of run.outputs) {
    for (const e of readMsgpackStream(bytes, name)) {
      const b = decode(e.body);
      const log = asText(mapGet(b, "log"));
      const body: Record<string, unknown> = {};
      if (b.t === "map") for (const [k, v] of b.entries) { const key = asText(k); if (key !== undefined) body[key] = asText(v) ?? toView(v); }
      body.log = log;
      out.push({ output: name, time: nanosOf(e), body, viaParser });
    }
  }
  return out;
}

interface Case { name: string; form: "conf" | "yaml"; scenarios: string[]; text: string; files: Record<string, string | Uint8Array> }

function cases(): Case[] {
  const out: Case[] = [];
  const shared = (dir: string): Record<string, string | Uint8Array> => {
    const f: Record<string, string | Uint8Array> = { "wasm/cri_time.wasm": readFileSync("build/cri_time.wasm"), "scripts/cri_time.lua": readFileSync("lua/cri_time.lua"), "kube-token": "dummy-token\n", "state/.keep": "" };
    try { f["parsers.conf"] = readFileSync(join(dir, "parsers.conf")); } catch { /* the example has none */ }
    return f;
  };
  for (const [name, spec] of Object.entries(EXAMPLES)) {
    for (const form of ["conf", "yaml"] as const) {
      out.push({ name, form, scenarios: spec.recordings, text: readFileSync(`examples/${name}/fluent-bit.${form}`, "utf8"), files: shared(`examples/${name}`) });
    }
  }
  const helm = helmFiles();
  out.push({ name: "helm", form: "conf", scenarios: HELM_RECORDINGS, text: helm.main, files: { ...shared("examples/helm"), "custom_parsers.conf": helm.customParsers, "image_parsers.conf": "" } });
  return out;
}

/** Dummy AWS credentials: the opensearch output signs its requests (AWS_Auth On) with them. */
const AWS_ENV = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", AWS_REGION: "eu-west-1" };

forEachFluentBit("every example runs end to end", (bin) => {
  describe(`Fluent Bit ${bin.version}: every example, classic and YAML`, () => {
    const receiver = new BulkReceiver();
    const kube = new KubeApiStandIn();
    let endpoints: LocalEndpoints;
    before(async () => { endpoints = { es: await receiver.start(), kube: await kube.start(), forward: await freePort() }; });
    after(async () => { await receiver.stop(); await kube.stop(); });

    // REAL_EXAMPLES=name,name runs only those examples.
    const only = process.env.REAL_EXAMPLES?.split(",");
    for (const c of cases().filter((x) => !only || only.includes(x.name))) {
      const configName = `fluent-bit.${c.form}`;
      const localText = () => (c.form === "yaml" ? localYaml(c.text, endpoints) : localClassic(c.text, endpoints));

      test(`${c.name} (${c.form}): --dry-run accepts it`, async () => {
        const run = await runFluentBit({ bin: bin.path, config: localText(), configName, files: { ...c.files, ...aotMount(bin.version) }, args: ["--dry-run"], untilExit: true, timeoutMs: 30_000 });
        assert.match(run.log, /configuration test is successful/);
      });

      test(`${c.name} (${c.form}): every line reaches every output with its written time`, async () => {
        const { files, lines } = containerFiles(c.scenarios);
        receiver.clear();
        // 9 s without a change at any output: the cri parser emits a P piece that no F follows
        // only when its flush timer fires, 4 to 8 s after it read it.
        const run = await runFluentBit({ bin: bin.path, config: localText(), configName, files: { ...c.files, ...aotMount(bin.version), ...files }, env: AWS_ENV, quietMs: 9000, timeoutMs: 120_000, watch: () => String(receiver.requests) });
        assert.deepEqual(receiver.rejected, [], "no document refused");
        const viaParser = /key_name\s*:?\s*_event_time/i.test(c.text) && /name\s*:?\s*parser/i.test(c.text);
        const got = delivered(run, receiver, viaParser);
        const outputs = [...new Set(got.map((d) => d.output))];
        assert.ok(outputs.length > 0, "something reached an output");
        for (const output of outputs) {
          const recs = got.filter((d) => d.output === output);
          const logs = recs.map((d) => (typeof d.body.log === "string" ? d.body.log : undefined));
          const all = logs.filter((x) => x !== undefined).join("\n");
          // Nothing lost: every line's text is in some record (a JSON line the kubernetes filter
          // merged into the record: its fields are).
          const merged = recs.filter((_, i) => logs[i] === undefined);
          const missing = lines.filter((l) => l.text.length > 0 && !all.includes(l.text) && !merged.some((d) => mergedFrom(l.text, d.body)));
          assert.deepEqual(missing.map((l) => `${l.file}: ${l.text.slice(0, 80)}`), [], `${output}: lines lost`);
          // The record's time is its first line's.
          recs.forEach((d, i) => {
            const log = logs[i];
            // An empty line starts a record whose log starts with a line break, or is empty.
            const first = lines.filter((l) => (log === undefined ? mergedFrom(l.text, d.body) : l.text === "" ? /^(\n|$)/.test(log) : log.startsWith(l.text)))
              .sort((a, b) => b.text.length - a.text.length);
            const shown = log ? log.slice(0, 80) : JSON.stringify(d.body).slice(0, 300);
            assert.ok(first.length > 0, `${output}: record ${i} (${shown}) starts with no line of the files`);
            const want = first.filter((l) => l.text === first[0].text).map((l) => l.nanos).filter((n): n is bigint => n !== undefined);
            if (want.length === 0) return; // a line whose time text is not a time: flagged, the event time kept
            // No time in the record (2.1.8's multiline filter drops `time` from the later part of
            // a traceback it cuts): flagged, the event time Fluent Bit gave is kept.
            if ((d.body.cri_check as { time_error?: string } | undefined)?.time_error) return;
            const ok = want.some((n) => d.time === (d.viaParser ? parserNanos(n) : n));
            assert.ok(ok, `${output}: record ${i} (${shown}) has time ${d.time}, its first line says ${want.join(" or ")}`);
          });
        }
        if (/name\s*:?\s*kubernetes/i.test(c.text)) assert.ok(kube.asked.length > 0, "the kubernetes filter asked the API stand-in");
      });
    }
  });
});

forEachFluentBit("a P piece pending at shutdown", (bin) => {
  test(`Fluent Bit ${bin.version}: tail with multiline.parser cri crashes on SIGTERM while a P piece waits for its F, and the piece is lost`, async () => {
    const file = "2023-10-16T09:48:55.123456789Z stdout F complete\n2023-10-16T09:48:56.5Z stdout P pending piece\n";
    const config = "[SERVICE]\n    Flush 0.2\n[INPUT]\n    Name tail\n    Path {{DIR}}/containers/*.log\n    multiline.parser cri\n    Read_from_Head On\n[OUTPUT]\n    Name file\n    Match *\n    Path {{DIR}}/out\n    File out\n    Format msgpack\n";
    const run = await runFluentBit({ bin: bin.path, config, files: { "containers/a.log": file }, quietMs: 1500, toleratesCrashAfterStop: true });
    assert.ok(run.crashedAfterStop, "Fluent Bit crashed after it stopped");
    const logs = readMsgpackStream(run.outputs.get("out") ?? new Uint8Array(), "out").map((e) => asText(mapGet(decode(e.body), "log")));
    assert.deepEqual(logs, ["complete"], "the complete line arrived, the pending piece did not");
  });
});

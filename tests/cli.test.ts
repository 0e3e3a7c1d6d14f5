/**
 * The fbwasm command (run, golden, configure) as a user runs it, and the settings block that
 * configures a shipped filter without a rebuild.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilterWasm } from "../harness/filter-wasm.ts";
import { makeEvent, readMsgpackStream } from "../harness/events.ts";
import { readJsonLines } from "../harness/json-lines.ts";
import { configure, readSettings } from "../harness/configure.ts";
import { DEFAULTS } from "../harness/settings-block.ts";
import { decode, mp, toView } from "../harness/msgpack.ts";
import { noAllocatorWasm, probeWasm } from "./helpers/probes.ts";
import { HELP, OPTIONS, exitCodeFor } from "../harness/cli.ts";
import { MsgpackError } from "../harness/msgpack.ts";

const REC = "tests/golden/original-report/seed-custom-multiline.v2.1.8.msgpack";
const fbwasm = (...args: string[]) => spawnSync(process.execPath, ["bin/fbwasm.mjs", ...args], { encoding: "utf8" });
const tmp = mkdtempSync(join(tmpdir(), "fbwasm-"));

test("run: prints events as Fluent Bit's stdout output does, and a summary", () => {
  const r = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--fluent-bit", "2.1.8", "--tag", "kube.x", REC);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\[0\] kube\.x: \[\[1795415418\.559634260, \{\}\], \{"log"=>"\[2026-11-23 06:30:17\] WARNING/);
  assert.match(r.stdout, /"@timestamp"=>"2026-11-23T06:30:17\.846307445Z"/);
  assert.match(r.stderr, /in 58, out 58, dropped 0, log lines 0/);
});

test("run: --then parser:KEY sets the event time; --out writes JSON Lines", () => {
  const out = join(tmp, "out.jsonl");
  const r = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_event_time", "--fluent-bit", "2.1.8", "--then", "parser:_event_time", "--out", out, REC);
  assert.equal(r.status, 0, r.stderr);
  const events = readJsonLines(readFileSync(out, "utf8"));
  assert.equal(events.length, 58);
  assert.deepEqual([events[0].sec, events[0].nsec], [1795415417, 846307445]);
});

test("run: a module that drops records exits non-zero unless --allow-drop", () => {
  const wasm = join(tmp, "probe.wasm");
  writeFileSync(wasm, probeWasm());
  const r = fbwasm("run", "--wasm", wasm, "--function", "trap", REC);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Got exception running wasm code: Exception: unreachable/);
  assert.match(r.stderr, /dropped 58/);
  assert.equal(fbwasm("run", "--wasm", wasm, "--function", "trap", "--allow-drop", REC).status, 0);
});

test("run: one clear line for each mistake", () => {
  const noalloc = join(tmp, "noalloc.wasm");
  writeFileSync(noalloc, noAllocatorWasm());
  const cases: [string[], RegExp][] = [
    [["--wasm", "nope.wasm", "--function", "f", REC], /no such file: nope\.wasm/],
    [["--wasm", "package.json", "--function", "f", REC], /not a WebAssembly module/],
    [["--wasm", "build/cri_time.wasm", "--function", "f", REC], /exports no function f \(it exports: cri_timestamp/],
    [["--wasm", noalloc, "--function", "pass", REC], /exports no allocator/],
    [["--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "missing.msgpack"], /no such file: missing\.msgpack/],
    [["--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--event-format", "msgpack", REC], /supports event_format json only/],
    [["--wasm", "build/aot/cri_time-format5-x86_64.aot", "--function", "cri_timestamp", "--event-format", "msgpack", REC], /is an AOT file.*give it the \.wasm it was compiled from/],
    [["--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--input", "bogus", REC], /--input bogus: want one of tail, forward/],
    [["--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--fluent-bit", "9", REC], /--fluent-bit 9: want a release as X\.Y\.Z/],
    [["--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--escape-unicode", "maybe", REC], /want on or off/],
  ];
  for (const [args, want] of cases) {
    const r = fbwasm("run", ...args);
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr.trim(), want);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
  }
});

test("run: a release that was not measured is named with what it is emulated as", () => {
  const r = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--fluent-bit", "3.2.10", REC);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^note: Fluent Bit 3\.2\.10 was not measured \(measured: 2\.1\.8, 5\.1\.1\): its JSON handling and chunk encoding are taken as 2\.1\.8's/m);
  assert.doesNotMatch(fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--fluent-bit", "5.1.1", REC).stderr, /note:/);
});

test("exit codes: 2 for a mistake in the input, 3 for a bug in fbwasm", () => {
  const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), { code: "ENOENT", syscall: "open" });
  const unknownOption = Object.assign(new TypeError("Unknown option '--nope'"), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" });
  for (const e of [new MsgpackError("event is not a 2-element array", 0), enoent, unknownOption, new WebAssembly.CompileError("bad")]) {
    assert.equal(exitCodeFor(e), 2, e.message);
  }
  for (const e of [new TypeError("Cannot read properties of undefined"), new RangeError("Invalid array length"), new Error("an assertion inside fbwasm"), "a thrown string"]) {
    assert.equal(exitCodeFor(e), 3, String(e));
  }
  const r = fbwasm("run", "--nope");
  assert.equal(r.status, 2, "an unknown option is the user's mistake");
  assert.equal(r.stderr.trim().split("\n").length, 1, "in one line");
});

test("help: fbwasm --help, each command's --help naming every option it takes, --version; exit 0", () => {
  for (const args of [["--help"], ["-h"], ["help"]]) {
    const r = fbwasm(...args);
    assert.equal(r.status, 0, args.join(" "));
    for (const cmd of Object.keys(OPTIONS)) assert.match(r.stdout, new RegExp(`^  ${cmd} `, "m"), `${args}: lists ${cmd}`);
  }
  for (const [cmd, options] of Object.entries(OPTIONS)) {
    const r = fbwasm(cmd, "--help");
    assert.equal(r.status, 0, `${cmd} --help`);
    assert.equal(r.stdout.trim(), HELP[cmd as keyof typeof HELP]);
    for (const o of Object.keys(options)) assert.match(r.stdout, new RegExp(`--${o}\\b`), `${cmd} --help names --${o}`);
  }
  const v = fbwasm("--version");
  assert.equal(v.status, 0);
  assert.equal(v.stdout.trim(), JSON.parse(readFileSync("package.json", "utf8")).version);
  assert.equal(fbwasm().status, 2, "no command is a usage error");
});

test("run: output piped into a reader that stops early (| head) ends quietly", () => {
  const r = spawnSync("sh", ["-c", `${process.execPath} bin/fbwasm.mjs run --wasm build/cri_time.wasm --function cri_timestamp tests/recordings/cri-builtin/records.v2.1.8.msgpack | head -1 >/dev/null`], { encoding: "utf8" });
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/, r.stderr);
});

test("configure: each setting is checked as the module reads it; --show takes no --set", () => {
  const bad: [string[], RegExp][] = [
    [["--set", "kube=maybe"], /kube=maybe: want true or false/],
    [["--set", "span_ms=abc"], /span_ms=abc: want a whole number/],
    [["--set", "span_ms=-5"], /span_ms=-5: want a whole number/],
    [["--set", "drift_ms=1234567890123456"], /want a whole number of 1 to 15 digits/],
    [["--set", "timestamp_key="], /timestamp_key: a key name cannot be empty/],
    [["--show", "--set", "kube=true"], /--show prints the settings; it takes no --set/],
  ];
  for (const [args, want] of bad) {
    const r = fbwasm("configure", "--in", "build/cri_time.wasm", "--out", join(tmp, "c.wasm"), ...args);
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr.trim(), want);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
  }
  for (const ok of ["kube=yes", "kube=off", "raw_key=", "id_key=", "span_ms=0"]) {
    assert.equal(fbwasm("configure", "--in", "build/cri_time.wasm", "--out", join(tmp, "c.wasm"), "--set", ok).status, 0, ok);
  }
});

test("run: a container log file from a node, with the stuck event time of the report", () => {
  const dir = "tests/recordings/cri-builtin/input/var/log/containers";
  const file = join(dir, readdirSync(dir).find((f) => f.startsWith("orders-api") && f.endsWith(".log"))!);
  const r = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--event-time", "1697449735.000000000", file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\[0\] kube\.[^ ]*\.var\.log\.containers\.orders-api[^ ]*\.log: \[\[1697449735\.000000000, \{\}\], \{"log"=>/m);
  assert.match(r.stdout, /"@timestamp"=>"2026-11-23T06:32:01\.102003000Z"/, "the written time recovered");
  const bad = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--event-time", "stuck", REC);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--event-time is for container log files/);
});

test("golden: the bundled folder matches; a changed expectation prints a per-record diff", () => {
  assert.equal(fbwasm("golden", "tests/golden/original-report").status, 0);
  const dir = join(tmp, "golden");
  cpSync("tests/golden/original-report", dir, { recursive: true });
  writeFileSync(join(dir, "fbwasm.json"), readFileSync(join(dir, "fbwasm.json"), "utf8").replace("../../../build", join(process.cwd(), "build")));
  const expected = join(dir, "seed-custom-multiline.v2.1.8.expected.jsonl");
  writeFileSync(expected, readFileSync(expected, "utf8").replace("06:30:17.846307445Z", "06:30:17.846307446Z"));
  const r = fbwasm("golden", dir);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /different seed-custom-multiline\.v2\.1\.8\.msgpack/);
  assert.match(r.stdout, /record 0:\n  - .*846307446Z.*\n  \+ .*846307445Z/);
});

test("golden: a spec that would not run the filter, or a folder with nothing to check, is refused in one line naming the file", () => {
  const dir = join(tmp, "golden-spec");
  cpSync("tests/golden/original-report", dir, { recursive: true });
  const specFile = join(dir, "fbwasm.json");
  const good = { ...JSON.parse(readFileSync(specFile, "utf8")), wasm: join(process.cwd(), "build/cri_time.wasm") };
  const withSpec = (spec: unknown) => { writeFileSync(specFile, typeof spec === "string" ? spec : JSON.stringify(spec)); return fbwasm("golden", dir); };
  const abs = withSpec(good);
  assert.equal(abs.status, 0, `an absolute wasm path is taken as it is\n${abs.stdout}${abs.stderr}`);
  const cases: [unknown, RegExp][] = [
    // 2.1.8 passes records through when its module is missing: the spec is refused before any run.
    [{ ...good, wasm: "nope.wasm" }, /fbwasm\.json: "wasm": .*nope\.wasm does not exist/],
    [{ ...good, function: "cri_nope" }, /fbwasm\.json: "function": .* exports no function cri_nope \(it exports: cri_timestamp/],
    [{ function: good.function }, /fbwasm\.json: "wasm" is missing/],
    [{ ...good, fluentbitVersion: "2.1.8" }, /fbwasm\.json: unknown key "fluentbitVersion" \(did you mean "fluentBitVersion"\?\)/],
    [{ ...good, eventFormat: "yaml" }, /"eventFormat": "yaml" is not json or msgpack/],
    [{ ...good, fluentBitVersion: 2.1 }, /"fluentBitVersion" must be a non-empty string/],
    [{ ...good, wasm: "fbwasm.json" }, /fbwasm\.json: "wasm": .*not a WebAssembly module/],
    ["{ wasm: 1 ", /fbwasm\.json: not JSON/],
  ];
  for (const [spec, want] of cases) {
    const r = withSpec(spec);
    assert.equal(r.status, 2, `${JSON.stringify(spec)}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr.trim(), want);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
  }
  const empty = join(tmp, "golden-empty");
  cpSync(dir, empty, { recursive: true, filter: (f) => !/\.(msgpack|jsonl)$/.test(f) });
  writeFileSync(join(empty, "fbwasm.json"), JSON.stringify(good));
  const none = fbwasm("golden", empty);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no recordings \(\*\.msgpack, \*\.jsonl\) beside fbwasm\.json/);
});

test("make-golden: a container log file becomes a golden folder that passes, and catches a changed filter", () => {
  const logDir = "tests/recordings/cri-builtin/input/var/log/containers";
  const log = join(logDir, readdirSync(logDir).find((f) => f.endsWith(".log"))!);
  const dir = join(tmp, "made-golden");
  const made = fbwasm("make-golden", dir, "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--event-time", "stuck", log);
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, /^updated\s+\S+\.log\.jsonl \(59 records\)$/m);
  const spec = JSON.parse(readFileSync(join(dir, "fbwasm.json"), "utf8"));
  assert.equal(spec.fluentBitVersion, "5.1.1", "the release is pinned");
  assert.equal(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith(".jsonl") && !f.includes("expected"))!), "utf8").split("\n")[0].includes('"ts":"'), true, "times fixed in the file");
  const same = fbwasm("golden", dir);
  assert.equal(same.status, 0, same.stdout);
  assert.match(same.stdout, /^same /m);
  assert.match(fbwasm("make-golden", dir, "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", log).stderr, /is a golden folder already/);
  // The same folder against a module configured otherwise: the check sees it.
  const other = join(tmp, "other.wasm");
  writeFileSync(other, configure(readFileSync("build/cri_time.wasm"), { timestamp_key: "ts" }));
  writeFileSync(join(dir, "fbwasm.json"), JSON.stringify({ ...spec, wasm: other }));
  const diff = fbwasm("golden", dir);
  assert.equal(diff.status, 1);
  assert.match(diff.stdout, /record 0:\n  - .*"@timestamp".*\n  \+ .*"ts":/);
});

test("run: --out names its format; --es still prints with --out; --es on cri_event_time without --then says why the time is Fluent Bit's", () => {
  const bad = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--out", join(tmp, "x.json"), REC);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--out .*x\.json: name it \.jsonl \(JSON lines\) or \.msgpack/);
  const out = join(tmp, "es.msgpack");
  const both = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--es", "--out", out, REC);
  assert.equal(both.status, 0, both.stderr);
  assert.match(both.stdout, /^1795415418\.559634260  @timestamp=2026-11-23T06:30:17\.846307445Z$/m);
  assert.equal(readMsgpackStream(readFileSync(out), "t").length, 58);
  const stuck = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_event_time", "--es", REC);
  assert.match(stuck.stderr, /note: cri_event_time writes its time for a stage after it .*without --then parser:_event_time the @timestamp below is Fluent Bit's own event time/);
  assert.match(stuck.stdout, /^1795415418\.559634260  @timestamp=2026-11-23T06:30:18\.559634260Z$/m, "the stuck time, as the note says");
  const fixed = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_event_time", "--es", "--then", "parser:_event_time", REC);
  assert.doesNotMatch(fixed.stderr, /note:/);
  assert.match(fixed.stdout, /^1795415417\.846307445  @timestamp=2026-11-23T06:30:17\.846307445Z$/m);
});

test("run: JSON lines as users have them, the tag given; batches numbered on; errors name file and line", () => {
  const lines = join(tmp, "stdout.txt");
  const cri = (i: number) => `2026-11-23T06:30:${String(10 + (i % 50)).padStart(2, "0")}.000000${String(i % 1000).padStart(3, "0")}Z stdout F line ${i}`;
  writeFileSync(lines, Array.from({ length: 2500 }, (_, i) => JSON.stringify({ date: 1795415418.5 + i, log: cri(i) })).join("\n") + "\n");
  const r = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--tag", "kube.mine", lines);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /in 2500, out 2500, dropped 0/);
  assert.match(r.stdout, /^\[0\] kube\.mine: \[\[1795415418\.500000000, \{\}\], \{"log"=>"line 0", "stream"=>"stdout", "_p"=>"F", "@timestamp"=>"2026-11-23T06:30:10\.000000000Z", "cri_check"=>\{"drift_ms"=>8500\}\}\]$/m);
  assert.match(r.stdout, /^\[2499\] kube\.mine: \[\[1795417917\.500000000, /m, "numbered across batches");
  writeFileSync(lines, '{"log":"a"}\nnot json\n');
  const bad = fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", lines);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.trim(), /^fbwasm: .*stdout\.txt:2: not JSON .*want one of/);
});

test("configure: settings are rewritten in a copy; the module reads them once", () => {
  const original = readFileSync("build/cri_time.wasm");
  assert.deepEqual(readSettings(original), DEFAULTS);
  const once = configure(original, { check_key: "diag", split_raw: "false" });
  const twice = configure(once, { timestamp_key: "ts" });
  assert.deepEqual(readSettings(twice), { ...DEFAULTS, check_key: "diag", split_raw: "false", timestamp_key: "ts" });
  assert.equal(twice.length, original.length, "same size: only the block changed");
  assert.throws(() => configure(original, { nope: "1" }), /unknown setting nope/);
  assert.throws(() => configure(original, { log_key: "a\nb" }), /no newlines/);

  const line = "2026-11-23T06:30:17.846307445Z stderr F hello\n";
  const run = (wasm: Uint8Array, tag = "t") => toView(decode(new FilterWasm({ wasm, functionName: "cri_timestamp" }).filterChunk([makeEvent(tag, 1795415500, 0, mp.obj({ log: mp.str(line) }))]).events[0].body)) as any;
  const plain = run(original);
  assert.equal(plain.log, "hello");
  assert.equal(plain.cri_check.drift_ms, 82153);
  const changed = run(twice);
  assert.equal(changed.log, line, "split_raw=false keeps the raw line");
  assert.equal(changed.ts, "2026-11-23T06:30:17.846307445Z");
  assert.equal(changed.diag.drift_ms, 82153);
  const quiet = run(configure(original, { drift_ms: "100000" }));
  assert.equal(quiet.cri_check, undefined, "drift under the threshold is no defect");
  const kube = run(configure(original, { kube: "true" }), "kube.var.log.containers.orders-api-d88374c3b-vsj6v_shop_orders-api-8b140eb61a5290045191f84ae2b58980b566addb8643675a69c540bcb6703bf1.log");
  assert.deepEqual(kube.kubernetes, { pod_name: "orders-api-d88374c3b-vsj6v", namespace_name: "shop", container_name: "orders-api", docker_id: "8b140eb61a5290045191f84ae2b58980b566addb8643675a69c540bcb6703bf1" });
});

test("configure: the command writes a module Fluent Bit can load", () => {
  const out = join(tmp, "configured.wasm");
  const r = fbwasm("configure", "--in", "build/cri_time.wasm", "--out", out, "--set", "check_key=diag", "--set", "raw_key=log_raw");
  assert.equal(r.status, 0, r.stderr);
  const show = fbwasm("configure", "--in", out, "--show");
  assert.match(show.stdout, /^check_key=diag$/m);
  assert.match(show.stdout, /^raw_key=log_raw$/m);
  assert.equal(fbwasm("configure", "--in", "build/cri_time.wasm", "--out", out, "--set", "bogus=1").status, 2);
});

test("the npm scripts answer --help and a wrong argument in one line, without a stack", () => {
  const script = (file: string, ...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", file, ...args], { encoding: "utf8" });
  for (const file of ["bench/bench.ts", "bench/fluent-bit.ts", "scripts/demo.ts"]) {
    const help = script(file, "--help");
    assert.equal(help.status, 0, `${file} --help: ${help.stderr}`);
    assert.match(help.stdout, /^usage: npm run /);
  }
  for (const [file, args, want] of [["bench/bench.ts", ["--lines", "abc"], /--lines wants a positive integer/], ["bench/bench.ts", ["--nope"], /Unknown option '--nope'/], ["bench/fluent-bit.ts", ["--lines", "abc"], /--lines wants a positive integer/], ["scripts/demo.ts", ["v9"], /no recording v9/]] as const) {
    const r = script(file, ...args);
    assert.equal(r.status, 2, `${file} ${args.join(" ")}`);
    assert.match(r.stderr, want);
    assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack");
  }
});

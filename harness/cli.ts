/**
 * fbwasm: run a filter_wasm module the way Fluent Bit does, check recorded streams against golden
 * files, and configure a shipped filter.
 *
 *   fbwasm run --wasm F --function NAME [--event-format json|msgpack] [--fluent-bit X.Y.Z]
 *              [--input tail|forward|forward-threaded|dummy] [--tag TAG] [--then parser:KEY] [--es]
 *              [--out FILE.msgpack|FILE.jsonl] [--allow-drop] EVENTS
 *   fbwasm golden DIR [--update]
 *   fbwasm make-golden DIR --wasm F --function NAME [--fluent-bit X.Y.Z] [--then parser:KEY] FILE...
 *   fbwasm configure --in F --out G --set key=value [--set …]      fbwasm configure --in F --show
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { FilterWasm, INPUTS, Input } from "./filter-wasm.ts";
import { formatTs, writeJsonLines, writeMsgpackStream } from "./events.ts";
import { golden } from "./golden.ts";
import { eventBatches, inputKindOf, loadEvents } from "./inputs.ts";
import { NEWEST, fallbackNote } from "./versions.ts";
import { esTimestamp, parserStage } from "./stages.ts";
import { formatStdout } from "./stdout-format.ts";
import { configure, readSettings } from "./configure.ts";
import { SCHEMAS } from "./settings-block.ts";
import { settingsHelp } from "./settings-tables.ts";
import { readModuleInfo, signature } from "./wasm-binary.ts";
import { InputError } from "./input-error.ts";
import { parseEventTime } from "./container-log.ts";
import { packageFile } from "./package-root.ts";
import { RunReport } from "./report.ts";
import { scaffold } from "./scaffold.ts";

class UsageError extends InputError {}

const USAGE = `usage: fbwasm COMMAND [options]   (fbwasm COMMAND --help for its options)

  run          run a filter_wasm module over container log files or recorded events the way
               Fluent Bit does
  golden       check a folder of recordings against their expected output
  make-golden  turn container log files or recordings into such a folder
  report       draw a run as one HTML page: the times before and after the filter, the drift,
               the flagged records
  configure    write a copy of a shipped module (.wasm or AOT) with other settings, or show them
  new          start a filter of your own on the SDK, with its test cases (in a clone)

  --help, -h     this text
  --version      the toolkit's version

Exit codes: 0 done (golden: all the same), 1 records dropped (run) or differences (golden),
2 a mistake in the input (one line says which), 3 a bug in fbwasm (with its stack).`;

const RUN_OPTIONS = {
  wasm: { type: "string" }, function: { type: "string" }, "event-format": { type: "string" }, "fluent-bit": { type: "string" },
  input: { type: "string" }, tag: { type: "string" }, then: { type: "string" }, es: { type: "boolean" }, out: { type: "string" },
  "allow-drop": { type: "boolean" }, "escape-unicode": { type: "string" }, "event-time": { type: "string" },
} as const;
const { es: _es, "allow-drop": _allowDrop, ...REPORT_OPTIONS } = RUN_OPTIONS;

/** Each command's options; HELP names every one (tests/cli.test.ts checks). */
export const OPTIONS = {
  run: RUN_OPTIONS,
  /** The run's options but those about printing. */
  report: REPORT_OPTIONS,
  golden: { update: { type: "boolean" } },
  "make-golden": {
    wasm: { type: "string" }, function: { type: "string" }, "fluent-bit": { type: "string" }, then: { type: "string" },
    tag: { type: "string" }, "event-time": { type: "string" },
  },
  configure: { in: { type: "string" }, out: { type: "string" }, set: { type: "string", multiple: true }, show: { type: "boolean" } },
  new: { dir: { type: "string" } },
} as const;

export const HELP: Record<keyof typeof OPTIONS, string> = {
  run: `usage: fbwasm run --wasm F --function NAME [options] EVENTS

  EVENTS                  what you have, told apart by its content:
                          - a container log file (/var/log/containers/*.log, CRI or docker
                            json-file lines: the records tail gives, tagged as Tag kube.* tags them);
                          - a msgpack event stream (as out_file Format msgpack writes it);
                          - JSON lines: out_file's default lines (TAG: [time, {record}]), stdout's
                            Format json_lines ({"date":time, ...}), [time, {record}], records
                            alone, or fbwasm's own {"tag","ts","body"} (--out x.jsonl)
  --event-time read|stuck|SEC.NSEC
                          for records that carry no time (container log lines, records alone):
                          the event time Fluent Bit stamps: the read time (default), one stuck
                          time for every record (the 2.x multiline symptom), or a fixed time
  --wasm F                the module (.wasm)
  --function NAME         the exported function Fluent Bit would call (Function_Name)
  --event-format json|msgpack
                          filter_wasm's Event_Format (default json; msgpack needs 3.0.0+)
  --fluent-bit X.Y.Z      the Fluent Bit release to behave as (default: the newest measured, ${NEWEST};
                          a release not measured gets a note saying what it is emulated as)
  --input tail|forward|forward-threaded|dummy
                          the input the events came from (how Fluent Bit batches and threads)
  --tag TAG               the tag of every event (default: the recorded one, or tail's)
  --escape-unicode on|off json.escape_unicode of 5.x (default on)
  --then parser:KEY       then the parser filter on KEY, as the examples configure it (what
                          cri_event_time needs before its time is the event time)
  --es                    print the @timestamp each record would carry into Elasticsearch
  --out FILE              write the events to FILE.jsonl (JSON lines, lossless) or FILE.msgpack;
                          --es still prints
  --allow-drop            exit 0 even when the module dropped records

  Events go to the module in batches of 1000 (one filter call each) and leave as they are done;
  on a terminal, stderr shows how many records were read.`,
  report: `usage: fbwasm report --wasm F --function NAME --out FILE.html [options] EVENTS

  The run of fbwasm run (the same EVENTS and options but --es and --allow-drop), drawn as one
  self-contained HTML page: per record, the time an output indexes without the filter (Fluent
  Bit's event time: a flat line where it is stuck) and with it, the drift between the two, and
  the records the filter flagged with their diagnostics.

  --out FILE.html         the page to write
  --wasm, --function, --event-time, --event-format, --fluent-bit, --input, --tag,
  --escape-unicode, --then
                          as for fbwasm run`,
  golden: `usage: fbwasm golden DIR [--update]

  DIR        a folder with fbwasm.json (the wasm and function to run) and recordings
             (*.msgpack, *.jsonl); fbwasm make-golden makes one
  --update   write the expected files from this run instead of comparing`,
  "make-golden": `usage: fbwasm make-golden DIR --wasm F --function NAME [options] FILE...

  Makes DIR a golden folder from FILEs (any input fbwasm run reads): each becomes DIR/NAME.jsonl
  with its times fixed, fbwasm.json names the module (relative to DIR), the function and the
  Fluent Bit release, and the expected output is written for you to review.

  --wasm F                the module (.wasm)
  --function NAME         the exported function
  --fluent-bit X.Y.Z      the release to pin (default ${NEWEST})
  --then parser:KEY       then the parser filter on KEY
  --tag TAG               the tag of every event
  --event-time read|stuck|SEC.NSEC
                          the event time of records that carry none (default: now, fixed in the file)`,
  new: `usage: fbwasm new NAME [--dir DIR]

  Writes DIR/NAME/NAME.ts, a filter on the SDK (assembly/sdk/) whose exported function NAME is
  what Fluent Bit calls (Function_Name NAME), and DIR/NAME/cases.jsonl, its test cases (one a
  line: {"in":{record},"out":{record} or null for dropped}). npm test builds every folder of
  filters/ and checks its cases in the harness and in real Fluent Bit. Needs a clone of the
  toolkit (the SDK's sources).

  --dir DIR   where the folder goes (default filters)`,
  configure: `usage: fbwasm configure --in F --out G --set key=value [--set ...]
       fbwasm configure --in F --show

  --in F           a shipped module: .wasm or one of its AOT files
  --out G          where the configured copy goes
  --set key=value  a setting (README, "Settings, without a rebuild"); repeat for several
  --show           print the module's settings

Settings of each module, with their defaults:
${settingsHelp(SCHEMAS)}`,
};

function version(): string {
  return (JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as { version: string }).version;
}

/** Node's own errors about the user's input: a file that cannot be read or written, an unknown option. */
function isNodeInputError(e: unknown): e is Error {
  const code = (e as { code?: unknown })?.code;
  return e instanceof Error && typeof code === "string" && (/^E[A-Z]+$/.test(code) || code.startsWith("ERR_PARSE_ARGS_"));
}

/** The shipped module these bytes are (its .wasm or one of its AOT files, by sha256), if any. */
function shippedModule(bytes: Uint8Array): { wasm: string; eventFormats: string[]; functions: { name: string; then: string | null }[] } | undefined {
  const sha = createHash("sha256").update(bytes).digest("hex");
  const manifest = JSON.parse(readFileSync(packageFile("build/manifest.json"), "utf8")) as { modules: { wasm: string; sha256: string; eventFormats: string[]; functions: { name: string; then: string | null }[]; aot: { sha256: string }[] }[] };
  return manifest.modules.find((m) => m.sha256 === sha || m.aot.some((a) => a.sha256 === sha));
}

/** The key the module writes its diagnostics under (its settings block; cri_check for other modules). */
function checkKeyOf(bytes: Uint8Array): string {
  try { return readSettings(bytes).check_key || "cri_check"; } catch { return "cri_check"; }
}

/** The module's bytes, once it is a WebAssembly file that exports the function. */
function checkModule(wasm: string, functionName: string): Uint8Array {
  if (!existsSync(wasm)) throw new UsageError(`no such file: ${wasm}`);
  const bytes = readFileSync(wasm);
  if (bytes.subarray(0, 4).equals(Buffer.from("\0aot", "latin1"))) throw new UsageError(`${wasm} is an AOT file, native code for Fluent Bit: fbwasm runs WebAssembly, so give it the .wasm it was compiled from (build/manifest.json names it); both give the same output`);
  const info = readModuleInfo(bytes); // throws "not a WebAssembly module"
  const fn = info.exports.find((e) => e.name === functionName);
  if (!fn || fn.kind !== "func") throw new UsageError(`${wasm} exports no function ${functionName} (it exports: ${info.exports.filter((e) => e.kind === "func").map((e) => e.name).join(", ")})`);
  if (signature(fn.type) !== "(i32,i32,i32,i32,i32,i32)->(i32)") console.error(`warning: ${functionName} is ${signature(fn.type)}, Fluent Bit calls (i32 x6)->i32`);
  return bytes;
}

function checkRelease(release: string): void {
  if (!/^v?\d+\.\d+\.\d+$/.test(release)) throw new UsageError(`--fluent-bit ${release}: want a release as X.Y.Z (e.g. 2.1.8)`);
  const note = fallbackNote(release);
  if (note) console.error(`note: ${note}`);
}

/** `run`, or `report` (the same run, drawn as one HTML page instead of printed). */
function runCommand(argv: string[], command: "run" | "report"): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    // report takes run's options but --es and --allow-drop: parsed as run's, those two are unknown to it.
    options: OPTIONS[command] as typeof OPTIONS.run,
  });
  if (!values.wasm || !values.function || positionals.length !== 1) throw new UsageError(HELP[command].split("\n")[0]);
  if (command === "report" && !values.out?.endsWith(".html")) throw new UsageError("report: --out FILE.html names the page to write");
  const events = positionals[0];
  if (!existsSync(events)) throw new UsageError(`no such file: ${events}`);
  const bytes = checkModule(values.wasm, values.function);
  // A shipped module's entry in build/manifest.json (its formats, the stage its functions need).
  const shipped = shippedModule(bytes);
  const format = values["event-format"] as "json" | "msgpack" | undefined;
  if (format && format !== "json" && format !== "msgpack") throw new UsageError("--event-format is json or msgpack");
  if (format === "msgpack") {
    // A shipped module says which formats it supports: refuse the others.
    if (shipped && !shipped.eventFormats.includes("msgpack")) throw new UsageError(`${values.wasm} supports event_format ${shipped.eventFormats.join(", ")} only (build/manifest.json; README, "JSON mode only")`);
  }
  if (values.input !== undefined && !INPUTS.includes(values.input as Input)) throw new UsageError(`--input ${values.input}: want one of ${INPUTS.join(", ")}`);
  if (values["fluent-bit"] !== undefined) checkRelease(values["fluent-bit"]);
  if (values["escape-unicode"] !== undefined && !["on", "off"].includes(values["escape-unicode"])) throw new UsageError(`--escape-unicode ${values["escape-unicode"]}: want on or off`);
  const eventTime = values["event-time"] === undefined ? undefined : parseEventTime(values["event-time"]);
  if (eventTime && inputKindOf(events) === "msgpack") throw new UsageError("--event-time is for container log files and JSON lines without times: a msgpack stream carries its own");
  const then = values.then === undefined ? undefined : /^parser:(.+)$/.exec(values.then)?.[1];
  if (values.then !== undefined && !then) throw new UsageError("--then takes parser:KEY (e.g. parser:_event_time)");
  const outFormat = values.out === undefined ? undefined : /\.(jsonl|msgpack|html)$/.exec(values.out)?.[1];
  if (values.out !== undefined && (!outFormat || (outFormat === "html") !== (command === "report"))) throw new UsageError(`--out ${values.out}: name it .jsonl (JSON lines) or .msgpack (out_file's msgpack format)`);
  const nextStage = shipped?.functions.find((x) => x.name === values.function)?.then;
  if (values.es && nextStage && !then) {
    // The function writes the time for a stage after it; without that stage the event time is still Fluent Bit's.
    console.error(`note: ${values.function} writes its time for a stage after it (${nextStage.split(";")[0]}); without --then parser:_event_time the @timestamp below is Fluent Bit's own event time, not the written time`);
  }
  const f = new FilterWasm({
    wasm: bytes, functionName: values.function, eventFormat: format, fluentBitVersion: values["fluent-bit"],
    input: values.input as never, escapeUnicode: values["escape-unicode"] ? values["escape-unicode"] === "on" : undefined,
  });
  for (const l of f.startLog) console.error(l);
  const report = command === "report" ? new RunReport({
    title: `fbwasm report: ${basename(events)}`, wasm: values.wasm, functionName: values.function, fluentBit: f.behaviour.version,
    events, then: values.then, checkKey: checkKeyOf(bytes),
  }) : undefined;
  // Batch by batch, each one filter call (as one input append), written as it leaves: memory stays bounded.
  const outFd = values.out === undefined || report ? undefined : openSync(values.out, "w");
  const progress = new Progress(process.stderr.isTTY === true);
  let read = 0, written = 0, dropped = 0, logLines = 0;
  try {
    for (const batch of eventBatches(events, { tag: values.tag, eventTime })) {
      const result = f.filterChunk(batch);
      const out = then ? result.events.map((e) => parserStage(e, { keyName: then, reserveData: true }).event) : result.events;
      if (report) {
        out.forEach((e, i) => report.add(result.events[i], e)); // drawn once the run is over
        report.addDropped(result.dropped);
      } else {
        if (outFd !== undefined) writeFileSync(outFd, outFormat === "jsonl" ? writeJsonLines(out) : writeMsgpackStream(out));
        if (values.es) process.stdout.write(out.map((e) => `${formatTs(e.sec, e.nsec)}  @timestamp=${esTimestamp(e, { timeKeyNanos: true })}\n`).join(""));
        else if (outFd === undefined) process.stdout.write(formatStdout(out, written));
      }
      progress.clear();
      for (const l of result.log) console.error(l);
      [read, written, dropped, logLines] = [read + batch.length, written + out.length, dropped + result.dropped, logLines + result.log.length];
      progress.show(read);
    }
  } finally {
    if (outFd !== undefined) closeSync(outFd);
    progress.clear();
  }
  if (report) { writeFileSync(values.out!, report.html()); console.log(`wrote ${values.out}`); }
  console.error(`in ${read}, out ${written}, dropped ${dropped}, log lines ${logLines}`);
  return dropped > 0 && !values["allow-drop"] ? 1 : 0;
}

/** "N records" on a terminal's stderr, at most once a second, erased before anything else is written there. */
class Progress {
  private last = Date.now();
  private shown = false;
  constructor(private readonly enabled: boolean) {}
  show(records: number): void {
    if (!this.enabled || Date.now() - this.last < 1000) return;
    this.last = Date.now();
    process.stderr.write(`\r${records} records read`);
    this.shown = true;
  }
  clear(): void {
    if (this.shown) process.stderr.write("\r\x1b[K");
    this.shown = false;
  }
}

function goldenCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS.golden });
  if (positionals.length !== 1) throw new UsageError("usage: fbwasm golden DIR [--update]");
  let failed = 0;
  for (const r of golden(positionals[0], !!values.update)) {
    console.log(`${r.status.padEnd(9)} ${r.file}`);
    for (const d of r.diffs) console.log(d);
    if (r.status === "different" || r.status === "missing") failed++;
  }
  return failed ? 1 : 0;
}

/**
 * A golden folder from the files a user has: each becomes `<name>.jsonl` in the lossless form
 * (times fixed now, so a container log's read time does not change from run to run), beside an
 * fbwasm.json that pins the Fluent Bit release; then the expected files are written for review.
 */
function makeGoldenCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS["make-golden"] });
  const [dir, ...files] = positionals;
  if (!dir || !files.length || !values.wasm || !values.function) throw new UsageError("usage: fbwasm make-golden DIR --wasm F --function NAME [options] FILE...");
  if (existsSync(join(dir, "fbwasm.json"))) throw new UsageError(`${dir} is a golden folder already (fbwasm.json): fbwasm golden ${dir} --update rewrites its expected files`);
  checkModule(values.wasm, values.function);
  if (values["fluent-bit"] !== undefined) checkRelease(values["fluent-bit"]);
  const then = values.then === undefined ? undefined : /^parser:(.+)$/.exec(values.then)?.[1];
  if (values.then !== undefined && !then) throw new UsageError("--then takes parser:KEY (e.g. parser:_event_time)");
  const eventTime = values["event-time"] === undefined ? undefined : parseEventTime(values["event-time"]);
  const names = new Set<string>();
  const recordings = files.map((file) => {
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const name = `${basename(file).replace(/\.(jsonl|json|ndjson|msgpack|txt)$/, "")}.jsonl`;
    if (names.has(name)) throw new UsageError(`two inputs would both become ${name}: rename one`);
    names.add(name);
    return { name, events: loadEvents(file, { tag: values.tag, eventTime }) };
  });
  mkdirSync(dir, { recursive: true });
  for (const r of recordings) writeFileSync(join(dir, r.name), writeJsonLines(r.events));
  const spec = {
    wasm: relative(resolve(dir), resolve(values.wasm)),
    function: values.function,
    fluentBitVersion: (values["fluent-bit"] ?? NEWEST).replace(/^v/, ""),
    ...(then ? { thenParserKey: then } : {}),
  };
  writeFileSync(join(dir, "fbwasm.json"), JSON.stringify(spec, null, 2) + "\n");
  for (const r of golden(dir, true)) {
    console.log(`${r.status.padEnd(9)} ${r.file} (${recordings.find((x) => x.name === r.file)!.events.length} records)`);
    for (const d of r.diffs) console.log(d);
  }
  console.log(`wrote ${join(dir, "fbwasm.json")}: review the *.expected.jsonl files, then fbwasm golden ${dir} checks every later run`);
  return 0;
}

function configureCommand(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: OPTIONS.configure });
  if (!values.in) throw new UsageError("usage: fbwasm configure --in F (--show | --out G --set key=value …)");
  const bytes = readFileSync(values.in);
  if (values.show && (values.set?.length || values.out)) throw new UsageError("configure: --show prints the settings; it takes no --set or --out");
  if (values.show) { for (const [k, v] of Object.entries(readSettings(bytes))) console.log(`${k}=${v}`); return 0; }
  if (!values.out || !values.set?.length) throw new UsageError("configure needs --out and at least one --set key=value");
  const changes = Object.fromEntries(values.set.map((s) => { const i = s.indexOf("="); if (i < 1) throw new UsageError(`--set ${s}: want key=value`); return [s.slice(0, i), s.slice(i + 1)]; }));
  const out = configure(bytes, changes);
  new WebAssembly.Module(out as Uint8Array<ArrayBuffer>); // still a valid module
  writeFileSync(values.out, out);
  console.log(`wrote ${values.out}`);
  return 0;
}

function newCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS.new });
  if (positionals.length !== 1) throw new UsageError("usage: fbwasm new NAME [--dir DIR]");
  for (const f of scaffold(positionals[0], values.dir)) console.log(`wrote ${f}`);
  console.log("npm test now builds it and checks its cases; build it alone with: npx asc FILE --config asconfig.json --target release -o build/NAME.wasm");
  return 0;
}

/** 2 for a mistake in the input (one line names it), 3 for a bug in fbwasm (the stack is printed). */
export function exitCodeFor(e: unknown): 2 | 3 {
  return e instanceof InputError || e instanceof WebAssembly.CompileError || isNodeInputError(e) ? 2 : 3;
}

export function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") { console.log(USAGE); return cmd === undefined ? 2 : 0; }
  if (cmd === "--version") { console.log(version()); return 0; }
  if (cmd in HELP && (rest.includes("--help") || rest.includes("-h"))) { console.log(HELP[cmd as keyof typeof HELP]); return 0; }
  try {
    if (cmd === "run" || cmd === "report") return runCommand(rest, cmd);
    if (cmd === "golden") return goldenCommand(rest);
    if (cmd === "make-golden") return makeGoldenCommand(rest);
    if (cmd === "configure") return configureCommand(rest);
    if (cmd === "new") return newCommand(rest);
    throw new UsageError(`unknown command ${cmd}: fbwasm --help lists them`);
  } catch (e) {
    const code = exitCodeFor(e);
    if (code === 2) console.error(`fbwasm: ${(e as Error).message}`);
    else console.error(`fbwasm: internal error (a bug in fbwasm, not in your input; please report it):\n${(e as Error)?.stack ?? e}`);
    return code;
  }
}

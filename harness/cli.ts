/**
 * fbwasm: run a filter_wasm module the way Fluent Bit does, check recorded streams against golden
 * files, and configure a shipped filter.
 *
 *   fbwasm run --wasm F --function NAME [--event-format json|msgpack] [--fluent-bit X.Y.Z]
 *              [--input tail|forward|forward-threaded|dummy] [--tag TAG] [--then parser:KEY] [--es]
 *              [--out FILE.msgpack|FILE.jsonl] [--allow-drop] EVENTS
 *   fbwasm golden DIR [--update]
 *   fbwasm configure --in F --out G --set key=value [--set …]      fbwasm configure --in F --show
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { FilterWasm, INPUTS, Input } from "./filter-wasm.ts";
import { FbEvent, formatTs, writeJsonLines, writeMsgpackStream } from "./events.ts";
import { loadEvents, golden } from "./golden.ts";
import { esTimestamp, parserStage } from "./stages.ts";
import { formatStdout } from "./stdout-format.ts";
import { configure, readSettings } from "./configure.ts";
import { readModuleInfo, signature } from "./wasm-binary.ts";
import { InputError } from "./input-error.ts";
import { CONTAINER_LOG, parseEventTime } from "./container-log.ts";
import { packageFile } from "./package-root.ts";

class UsageError extends InputError {}

const USAGE = `usage: fbwasm COMMAND [options]   (fbwasm COMMAND --help for its options)

  run        run a filter_wasm module over recorded events the way Fluent Bit does
  golden     check a folder of recordings against their expected output
  configure  write a copy of a shipped module (.wasm or AOT) with other settings, or show them

  --help, -h     this text
  --version      the toolkit's version

Exit codes: 0 done (golden: all the same), 1 records dropped (run) or differences (golden),
2 a mistake in the input (one line says which), 3 a bug in fbwasm (with its stack).`;

/** Each command's options; HELP names every one (tests/cli.test.ts checks). */
export const OPTIONS = {
  run: {
    wasm: { type: "string" }, function: { type: "string" }, "event-format": { type: "string" }, "fluent-bit": { type: "string" },
    input: { type: "string" }, tag: { type: "string" }, then: { type: "string" }, es: { type: "boolean" }, out: { type: "string" },
    "allow-drop": { type: "boolean" }, "escape-unicode": { type: "string" }, "event-time": { type: "string" },
  },
  golden: { update: { type: "boolean" } },
  configure: { in: { type: "string" }, out: { type: "string" }, set: { type: "string", multiple: true }, show: { type: "boolean" } },
} as const;

export const HELP: Record<keyof typeof OPTIONS, string> = {
  run: `usage: fbwasm run --wasm F --function NAME [options] EVENTS

  EVENTS                  a container log file (/var/log/containers/*.log, CRI or docker
                          json-file: the records tail gives, tagged as Tag kube.* tags them),
                          a msgpack event stream (as out_file Format msgpack writes it), or
                          .jsonl lines {"tag","ts":"<sec>.<9 digits>","body"}
  --event-time read|stuck|SEC.NSEC
                          for a container log file: the event time Fluent Bit stamps: the read
                          time (default), one stuck time for every record (the 2.x multiline
                          symptom), or a fixed time
  --wasm F                the module (.wasm)
  --function NAME         the exported function Fluent Bit would call (Function_Name)
  --event-format json|msgpack
                          filter_wasm's Event_Format (default json; msgpack needs 3.0.0+)
  --fluent-bit X.Y.Z      the Fluent Bit release to behave as (default: the newest measured)
  --input tail|forward|forward-threaded|dummy
                          the input the events came from (how Fluent Bit batches and threads)
  --tag TAG               the tag of every event (default: the recorded one)
  --escape-unicode on|off json.escape_unicode of 5.x (default on)
  --then parser:KEY       then the parser filter on KEY, as the examples configure it
  --es                    print the @timestamp each record would carry into Elasticsearch
  --out FILE              write the events: FILE.jsonl as JSON lines, else msgpack
  --allow-drop            exit 0 even when the module dropped records`,
  golden: `usage: fbwasm golden DIR [--update]

  DIR        a folder with fbwasm.json (the wasm and function to run) and recordings
  --update   write the expected files from this run instead of comparing`,
  configure: `usage: fbwasm configure --in F --out G --set key=value [--set ...]
       fbwasm configure --in F --show

  --in F           a shipped module: .wasm or one of its AOT files
  --out G          where the configured copy goes
  --set key=value  a setting (README, "Settings, without a rebuild"); repeat for several
  --show           print the module's settings`,
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
function shippedModule(bytes: Uint8Array): { wasm: string; eventFormats: string[] } | undefined {
  const sha = createHash("sha256").update(bytes).digest("hex");
  const manifest = JSON.parse(readFileSync(packageFile("build/manifest.json"), "utf8")) as { modules: { wasm: string; sha256: string; eventFormats: string[]; aot: { sha256: string }[] }[] };
  return manifest.modules.find((m) => m.sha256 === sha || m.aot.some((a) => a.sha256 === sha));
}

function runCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: OPTIONS.run,
  });
  if (!values.wasm || !values.function || positionals.length !== 1) throw new UsageError("usage: fbwasm run --wasm F --function NAME [options] EVENTS");
  const events = positionals[0];
  if (!existsSync(values.wasm)) throw new UsageError(`no such file: ${values.wasm}`);
  if (!existsSync(events)) throw new UsageError(`no such file: ${events}`);
  const bytes = readFileSync(values.wasm);
  if (bytes.subarray(0, 4).equals(Buffer.from("\0aot", "latin1"))) throw new UsageError(`${values.wasm} is an AOT file, native code for Fluent Bit: fbwasm runs WebAssembly, so give it the .wasm it was compiled from (build/manifest.json names it); both give the same output`);
  const info = readModuleInfo(bytes); // throws "not a WebAssembly module"
  const fn = info.exports.find((e) => e.name === values.function);
  if (!fn || fn.kind !== "func") throw new UsageError(`${values.wasm} exports no function ${values.function} (it exports: ${info.exports.filter((e) => e.kind === "func").map((e) => e.name).join(", ")})`);
  if (signature(fn.type) !== "(i32,i32,i32,i32,i32,i32)->(i32)") console.error(`warning: ${values.function} is ${signature(fn.type)}, Fluent Bit calls (i32 x6)->i32`);
  const format = values["event-format"] as "json" | "msgpack" | undefined;
  if (format && format !== "json" && format !== "msgpack") throw new UsageError("--event-format is json or msgpack");
  if (format === "msgpack") {
    // A shipped module says which formats it supports (build/manifest.json): refuse the others.
    const shipped = shippedModule(bytes);
    if (shipped && !shipped.eventFormats.includes("msgpack")) throw new UsageError(`${values.wasm} supports event_format ${shipped.eventFormats.join(", ")} only (build/manifest.json; README, "JSON mode only")`);
  }
  if (values.input !== undefined && !INPUTS.includes(values.input as Input)) throw new UsageError(`--input ${values.input}: want one of ${INPUTS.join(", ")}`);
  if (values["fluent-bit"] !== undefined && !/^v?\d+\.\d+\.\d+$/.test(values["fluent-bit"])) throw new UsageError(`--fluent-bit ${values["fluent-bit"]}: want a release as X.Y.Z (e.g. 2.1.8)`);
  if (values["escape-unicode"] !== undefined && !["on", "off"].includes(values["escape-unicode"])) throw new UsageError(`--escape-unicode ${values["escape-unicode"]}: want on or off`);
  const f = new FilterWasm({
    wasm: bytes, functionName: values.function, eventFormat: format, fluentBitVersion: values["fluent-bit"],
    input: values.input as never, escapeUnicode: values["escape-unicode"] ? values["escape-unicode"] === "on" : undefined,
  });
  if (values["event-time"] !== undefined && !CONTAINER_LOG.test(events)) throw new UsageError("--event-time is for container log files (*.log): recorded events carry their own times");
  const input = loadEvents(events, values.tag, values["event-time"] === undefined ? undefined : parseEventTime(values["event-time"]));
  const result = f.filterChunk(input);
  let out: FbEvent[] = result.events;
  if (values.then) {
    const m = /^parser:(.+)$/.exec(values.then);
    if (!m) throw new UsageError("--then takes parser:KEY");
    out = out.map((e) => parserStage(e, { keyName: m[1], reserveData: true }).event);
  }
  if (values.out) {
    writeFileSync(values.out, values.out.endsWith(".jsonl") ? writeJsonLines(out) : writeMsgpackStream(out));
  } else if (values.es) {
    for (const e of out) console.log(`${formatTs(e.sec, e.nsec)}  @timestamp=${esTimestamp(e, { timeKeyNanos: true })}`);
  } else process.stdout.write(formatStdout(out));
  for (const l of [...f.startLog, ...result.log]) console.error(l);
  console.error(`in ${input.length}, out ${out.length}, dropped ${result.dropped}, log lines ${result.log.length}`);
  return result.dropped > 0 && !values["allow-drop"] ? 1 : 0;
}

function goldenCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS.golden });
  if (positionals.length !== 1) throw new UsageError("usage: fbwasm golden DIR [--update]");
  if (!existsSync(`${positionals[0]}/fbwasm.json`)) throw new UsageError(`${positionals[0]}/fbwasm.json not found (it names the wasm and function to run)`);
  let failed = 0;
  for (const r of golden(positionals[0], !!values.update)) {
    console.log(`${r.status.padEnd(9)} ${r.file}`);
    for (const d of r.diffs) console.log(d);
    if (r.status === "different" || r.status === "missing") failed++;
  }
  return failed ? 1 : 0;
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
    if (cmd === "run") return runCommand(rest);
    if (cmd === "golden") return goldenCommand(rest);
    if (cmd === "configure") return configureCommand(rest);
    throw new UsageError(`unknown command ${cmd}: fbwasm --help lists them`);
  } catch (e) {
    const code = exitCodeFor(e);
    if (code === 2) console.error(`fbwasm: ${(e as Error).message}`);
    else console.error(`fbwasm: internal error (a bug in fbwasm, not in your input; please report it):\n${(e as Error)?.stack ?? e}`);
    return code;
  }
}

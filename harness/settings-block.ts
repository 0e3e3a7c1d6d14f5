/**
 * The settings block inside every shipped `.wasm` (Fluent Bit passes a wasm filter no settings).
 * A fixed-size data segment starting with its schema's magic line holds `key=value` lines padded
 * with spaces; `fbwasm configure` rewrites it in a copy of the module, the filter parses it on its
 * first call. This file is the single source of each module's settings (defaults, kinds, checks):
 * the build generates the modules' block sources from it (assembly/config/block.ts for cri_time,
 * assembly/match/block.ts for match).
 */
import { InputError } from "./input-error.ts";
import { checkRules } from "./match-rules.ts";

export type SettingKind = "key" | "optional-key" | "bool" | "count" | "choice" | "choices" | "names" | "rules";

export interface Schema {
  /** The module the block belongs to. */
  module: string;
  /** The block's first line: how `fbwasm configure` finds the block and knows its schema. */
  magic: string;
  size: number;
  defaults: Record<string, string>;
  kinds: Record<string, SettingKind>;
  /** For choice settings: the values allowed (choices: a comma-separated list of them, or none). */
  choices?: Record<string, string[]>;
  /** What each setting does, one sentence: the README tables, the Lua twins' tables and `fbwasm configure --help` print it. */
  docs: Record<string, string>;
  /** The Lua twin whose `local settings = { … }` table holds the same settings (generated from this schema). */
  twin: string;
  /** The generated AssemblyScript file and the names it exports. */
  source: { file: string; block: string; blockSize: string };
}

export const CRI_SCHEMA: Schema = {
  module: "cri_time",
  magic: "#fbwasm-config-v1\n",
  size: 1024,
  defaults: {
    log_key: "log",
    time_key: "time",
    stream_key: "stream",
    tag_key: "_p",
    timestamp_key: "@timestamp",
    event_time_key: "_event_time",
    check_key: "cri_check",
    raw_key: "",
    split_raw: "true",
    repair_glued: "true",
    span_ms: "1000",
    drift_ms: "1000",
    partial_piece_bytes: "16384",
    kube: "false",
    kube_key: "kubernetes",
    id_key: "",
  },
  /**
   * What each setting holds, as the module reads it (assembly/config/config.ts): a key name (empty
   * means off only where `optional-key`), a boolean (true/on/1/yes; false/off/0/no), or a count of
   * 1 to 15 digits. The module takes a value it cannot read as its default, so such a value is
   * refused here instead.
   */
  kinds: {
    log_key: "key", time_key: "key", stream_key: "key", tag_key: "key", timestamp_key: "key", event_time_key: "key",
    check_key: "key", raw_key: "optional-key", split_raw: "bool", repair_glued: "bool", span_ms: "count", drift_ms: "count",
    partial_piece_bytes: "count", kube: "bool", kube_key: "key", id_key: "optional-key",
  },
  docs: {
    log_key: "the key holding the line or message",
    time_key: "the key a `cri`/`docker` parser left the time in",
    stream_key: "the stream key: read, and written when splitting raw lines",
    tag_key: "the CRI tag key (`P`/`F`): read, and written when splitting raw lines",
    timestamp_key: "written by `cri_timestamp*`",
    event_time_key: "written by `cri_event_time` and `cri_timestamp_and_event_time`",
    check_key: "the diagnostics",
    raw_key: "keep the original raw line under this key",
    split_raw: "split raw CRI lines into `log`/`stream`/`_p`",
    repair_glued: "remove CRI headers from glued continuation lines",
    span_ms: "report `span_ms` above this",
    drift_ms: "report `drift_ms` at or above this",
    partial_piece_bytes: "the runtime's split size, for `partial` on `cri`-parsed records",
    kube: "add `kubernetes: {pod_name, namespace_name, container_name, docker_id}` from the tail tag `kube.var.log.containers.<pod>_<ns>_<container>-<id>.log`, for clusters that cannot afford the kubernetes filter's API calls",
    kube_key: "where `kube` puts that",
    id_key: "write a record id under this key (\"Record ids\"), for the es/opensearch outputs' `Id_Key`",
  },
  twin: "lua/cri_time.lua",
  source: { file: "assembly/config/block.ts", block: "CONFIG_BLOCK", blockSize: "CONFIG_BLOCK_SIZE" },
};

export const MATCH_SCHEMA: Schema = {
  module: "match",
  magic: "#fbwasm-config-v1 match\n",
  size: 1024,
  defaults: { rules: "", action: "drop", combine: "any" },
  kinds: { rules: "rules", action: "choice", combine: "choice" },
  choices: { action: ["drop", "keep"], combine: ["any", "all"] },
  docs: {
    rules: "rules separated by `;`, each `PATH OP VALUE` (below); up to 16; none: every record passes",
    action: "`drop`: a record that matches is dropped; `keep`: only records that match are kept",
    combine: "`any`: one rule holding is a match; `all`: every rule must hold",
  },
  twin: "lua/match.lua",
  source: { file: "assembly/match/block.ts", block: "MATCH_BLOCK", blockSize: "MATCH_BLOCK_SIZE" },
};

export const LIFT_SCHEMA: Schema = {
  module: "lift",
  magic: "#fbwasm-config-v1 lift\n",
  size: 512,
  defaults: { key: "log", under: "", keep_key: "true", cri: "true" },
  kinds: { key: "key", under: "optional-key", keep_key: "bool", cri: "bool" },
  docs: {
    key: "the member whose text is lifted",
    under: "put the object under this member instead of the top level (no clash with `stream`, `time`, `kubernetes`…)",
    keep_key: "`false`: remove `key` once its text was lifted (a text that is no object stays)",
    cri: "skip a CRI header (`<time> <stream> <tag> `) before the JSON",
  },
  twin: "lua/lift.lua",
  source: { file: "assembly/lift/block.ts", block: "LIFT_BLOCK", blockSize: "LIFT_BLOCK_SIZE" },
};

export const REDACT_SCHEMA: Schema = {
  module: "redact",
  magic: "#fbwasm-config-v1 redact\n",
  size: 512,
  defaults: { keys: "password,passwd,secret,token,api_key,apikey,authorization", secrets: "bearer,password,email,card", mask: "[REDACTED]" },
  kinds: { keys: "names", secrets: "choices", mask: "key" },
  choices: { secrets: ["bearer", "password", "email", "card"] },
  docs: {
    keys: "member names (any case) whose values become the mask, at any depth",
    secrets: "the kinds of secret looked for inside strings (below)",
    mask: "the text written instead",
  },
  twin: "lua/redact.lua",
  source: { file: "assembly/redact/block.ts", block: "REDACT_BLOCK", blockSize: "REDACT_BLOCK_SIZE" },
};
export const SCHEMAS: Schema[] = [CRI_SCHEMA, MATCH_SCHEMA, LIFT_SCHEMA, REDACT_SCHEMA];

// The cri_time schema under the names the rest of the toolkit has always used.
export const MAGIC = CRI_SCHEMA.magic;
export const BLOCK_SIZE = CRI_SCHEMA.size;
export const DEFAULTS = CRI_SCHEMA.defaults;
export const KINDS = CRI_SCHEMA.kinds;

function checkValue(schema: Schema, k: string, v: string): void {
  const kind = schema.kinds[k];
  if (kind === "key" && v === "") throw new InputError(`setting ${k}: a key name cannot be empty`);
  if (kind === "bool" && !/^(true|false|on|off|yes|no|1|0)$/.test(v)) throw new InputError(`setting ${k}=${v}: want true or false`);
  if (kind === "count" && !/^\d{1,15}$/.test(v)) throw new InputError(`setting ${k}=${v}: want a whole number of 1 to 15 digits (0 or more)`);
  if (kind === "choice" && !schema.choices![k].includes(v)) throw new InputError(`setting ${k}=${v}: want ${schema.choices![k].join(" or ")}`);
  if (kind === "choices") {
    const bad = v.split(",").filter((x) => x !== "" && !schema.choices![k].includes(x));
    if (bad.length) throw new InputError(`setting ${k}=${v}: ${bad.join(", ")} unknown; want a comma-separated list of ${schema.choices![k].join(", ")} (or nothing)`);
  }
  // Names are compared with the record's keys as Fluent Bit escapes them: ASCII only, any case.
  if (kind === "names" && !/^[A-Za-z0-9_.@$-]*(,[A-Za-z0-9_.@$-]*)*$/.test(v)) throw new InputError(`setting ${k}=${v}: want comma-separated member names of ASCII letters, digits and _ . @ $ -`);
  if (kind === "rules") checkRules(v);
}

export function renderBlock(settings: Record<string, string>, schema: Schema = CRI_SCHEMA): Uint8Array {
  for (const [k, v] of Object.entries(settings)) {
    if (!(k in schema.defaults)) throw new InputError(`unknown setting ${k} (known: ${Object.keys(schema.defaults).join(", ")})`);
    if (/[\n\r=\0]/.test(k) || /[\n\r\0]/.test(v) || (schema.kinds[k] !== "rules" && v.includes("="))) throw new InputError(`setting ${k}: no newlines or NUL, and no '=' but in rules`);
    if (/["\\\x00-\x1f]/.test(v)) throw new InputError(`setting ${k}: no quote, backslash or control character (the value is written into JSON as it is)`);
    checkValue(schema, k, v);
  }
  const text = schema.magic + Object.entries({ ...schema.defaults, ...settings }).map(([k, v]) => `${k}=${v}\n`).join("");
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > schema.size) throw new InputError(`settings take ${bytes.length} bytes, the block holds ${schema.size}`);
  const block = Buffer.alloc(schema.size, 0x20);
  bytes.copy(block);
  return new Uint8Array(block);
}

export function parseBlock(block: Uint8Array, schema: Schema = CRI_SCHEMA): Record<string, string> {
  const text = Buffer.from(block).toString("utf8");
  if (!text.startsWith(schema.magic)) throw new Error("not a settings block");
  const out: Record<string, string> = {};
  for (const line of text.slice(schema.magic.length).split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Generates the AssemblyScript source that places the default block in the module's data. */
export function blockSource(schema: Schema = CRI_SCHEMA): string {
  const bytes = Array.from(renderBlock({}, schema));
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 24) rows.push("  " + bytes.slice(i, i + 24).join(", ") + ",");
  return `// Generated by scripts/build.ts from harness/settings-block.ts: do not edit.
// The settings block (${schema.size} bytes, starting with ${JSON.stringify(schema.magic)}) that
// \`fbwasm configure\` rewrites in a copy of the module.
export const ${schema.source.block}: usize = memory.data<u8>([
${rows.join("\n")}
]);
export const ${schema.source.blockSize}: i32 = ${schema.size};
`;
}

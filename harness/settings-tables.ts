/**
 * The other places a module's settings are listed, generated from its schema
 * (harness/settings-block.ts) so that no list is kept by hand: the README's settings table, the
 * Lua twin's `local settings = { … }` table, and `fbwasm configure --help`. `npm run build`
 * rewrites the README's and the twins' tables; CI fails when they differ from the schema.
 */
import { Schema } from "./settings-block.ts";

/** What a setting takes, as `fbwasm configure` checks it (and as the module reads it). */
export function takes(schema: Schema, k: string): string {
  switch (schema.kinds[k]) {
    case "key": return "a member name";
    case "optional-key": return "a member name, or empty: off";
    case "bool": return "`true`/`false` (also `on`/`off`, `yes`/`no`, `1`/`0`)";
    case "count": return "a whole number, 0 to 999999999999999";
    case "choice": return schema.choices![k].map((c) => `\`${c}\``).join(" or ");
    case "choices": return `a comma-separated list of ${schema.choices![k].map((c) => `\`${c}\``).join(", ")}; empty: none`;
    case "names": return "comma-separated names of ASCII letters, digits and `_ . @ $ -`; empty: none";
    case "rules": return "`PATH OP VALUE` rules separated by `;`";
  }
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

/** The README table: one row per setting, in the schema's order. */
export function readmeTable(schema: Schema): string {
  const rows = Object.entries(schema.defaults).map(([k, v]) =>
    `| \`${k}\` | ${v === "" ? "(empty)" : `\`${cell(v)}\``} | ${cell(takes(schema, k))} | ${cell(schema.docs[k])} |`);
  return ["| setting | default | takes | |", "|---|---|---|---|", ...rows].join("\n");
}

const START = (schema: Schema) => `<!-- settings:${schema.module} (generated from harness/settings-block.ts by npm run build) -->`;
const END = (schema: Schema) => `<!-- /settings:${schema.module} -->`;

/** The README with the module's table between its markers regenerated. */
export function readmeWithTable(readme: string, schema: Schema): string {
  const a = readme.indexOf(START(schema)), b = readme.indexOf(END(schema));
  if (a < 0 || b < a) throw new Error(`README.md: no ${START(schema)} … ${END(schema)} section`);
  return readme.slice(0, a) + `${START(schema)}\n${readmeTable(schema)}\n` + readme.slice(b);
}

/** A setting's value as a Lua literal: booleans and counts as Lua values, the rest as strings. */
function luaValue(schema: Schema, k: string, v: string): string {
  if (schema.kinds[k] === "bool") return String(/^(true|on|yes|1)$/.test(v));
  if (schema.kinds[k] === "count") return String(Number(v));
  return JSON.stringify(v); // no quote, backslash or control character: renderBlock refuses them
}

const TABLE = /local settings = \{[\s\S]*?\n\}/;

/** The twin's settings table holding the schema's defaults and `settings`, each under its doc. */
export function luaTable(schema: Schema, settings: Record<string, string> = {}): string {
  const all = { ...schema.defaults, ...settings };
  const lines = Object.entries(all).map(([k, v]) => `  -- ${schema.docs[k]}\n  ${k} = ${luaValue(schema, k, v)},`);
  return `local settings = {\n${lines.join("\n")}\n}`;
}

/** The twin's script with its settings table replaced (how a user sets the twin's settings). */
export function luaScriptWith(script: string, schema: Schema, settings: Record<string, string> = {}): string {
  if (!TABLE.test(script)) throw new Error(`${schema.twin} has no \`local settings = { … }\` table`);
  return script.replace(TABLE, () => luaTable(schema, settings));
}

/** The settings of every module, for `fbwasm configure --help`. */
export function settingsHelp(schemas: Schema[]): string {
  return schemas.map((schema) => `${schema.module}:\n` + Object.entries(schema.defaults).map(([k, v]) =>
    `  ${k}=${v}\n      ${schema.docs[k].replace(/`/g, "")}; takes ${takes(schema, k).replace(/`/g, "")}`).join("\n")).join("\n");
}

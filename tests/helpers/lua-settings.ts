/**
 * The settings table at the top of a Lua twin (`local settings = { … }`): read as the module's
 * settings read (strings, booleans as "true"/"false"), and set as `fbwasm configure` sets the
 * module's, in a copy of the script.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Schema } from "../../harness/settings-block.ts";

const TABLE = /local settings = \{([\s\S]*?)\n\}/;
const dir = mkdtempSync(join(tmpdir(), "fbwasm-lua-settings-"));
let copies = 0;

export function luaSettingsTable(script: string): Record<string, string> {
  const m = TABLE.exec(script);
  if (!m) throw new Error("the script has no settings table");
  return Object.fromEntries([...m[1].matchAll(/^\s+(\w+) = ("([^"]*)"|true|false),$/gm)].map((x) => [x[1], x[3] ?? x[2]]));
}

/** A copy of the twin `file` with its table holding the schema's defaults and `settings`: the copy's path. */
export function luaWithSettings(file: string, schema: Schema, settings: Record<string, string>): string {
  const script = readFileSync(file, "utf8");
  if (!TABLE.test(script)) throw new Error(`${file} has no settings table`);
  const value = (k: string, v: string) => (schema.kinds[k] === "bool" ? String(v === "true") : JSON.stringify(v));
  const all = { ...schema.defaults, ...settings };
  const table = `local settings = {\n${Object.entries(all).map(([k, v]) => `  ${k} = ${value(k, v)},`).join("\n")}\n}`;
  const copy = join(dir, `${copies++}-${basename(file)}`);
  writeFileSync(copy, script.replace(TABLE, table));
  return copy;
}

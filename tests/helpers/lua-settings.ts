/**
 * The settings table at the top of a Lua twin (`local settings = { … }`): read as the module's
 * settings read (strings, booleans as "true"/"false", counts as digits), and set as a user sets
 * them, in a copy of the script (harness/settings-tables.ts writes the table).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Schema } from "../../harness/settings-block.ts";
import { luaScriptWith } from "../../harness/settings-tables.ts";

const TABLE = /local settings = \{([\s\S]*?)\n\}/;
const dir = mkdtempSync(join(tmpdir(), "fbwasm-lua-settings-"));
let copies = 0;

export function luaSettingsTable(script: string): Record<string, string> {
  const m = TABLE.exec(script);
  if (!m) throw new Error("the script has no settings table");
  return Object.fromEntries([...m[1].matchAll(/^\s+(\w+) = ("([^"]*)"|true|false|\d+),$/gm)].map((x) => [x[1], x[3] ?? x[2]]));
}

/** The twin's script text with its table holding the schema's defaults and `settings`. */
export function luaTextWithSettings(schema: Schema, settings: Record<string, string>): string {
  return luaScriptWith(readFileSync(schema.twin, "utf8"), schema, settings);
}

/** A copy of the twin `file` with its table holding the schema's defaults and `settings`: the copy's path. */
export function luaWithSettings(file: string, schema: Schema, settings: Record<string, string>): string {
  const copy = join(dir, `${copies++}-${basename(file)}`);
  writeFileSync(copy, luaScriptWith(readFileSync(file, "utf8"), schema, settings));
  return copy;
}

/**
 * One schema per module (harness/settings-block.ts) and every list of its settings made from it or
 * checked against it: the README tables and the Lua twins' tables are what the schema generates
 * (a hand edit fails here, and in CI after `npm run build`), `fbwasm configure --help` lists them,
 * and the names the modules and the twins read are exactly the schema's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { SCHEMAS, Schema } from "../harness/settings-block.ts";
import { luaScriptWith, readmeWithTable } from "../harness/settings-tables.ts";
import { HELP } from "../harness/cli.ts";
import { luaSettingsTable } from "./helpers/lua-settings.ts";
import { SHIPPED } from "../scripts/shipped.ts";

const names = (schema: Schema) => Object.keys(schema.defaults).sort();
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** The source that reads the module's settings: the CRI module's config reader, or the SDK filter's entry file. */
function readerSource(schema: Schema): string {
  if (schema.module === "cri_time") return readFileSync("assembly/config/config.ts", "utf8");
  return readFileSync(SHIPPED.find((m) => m.wasm === `build/${schema.module}.wasm`)!.source, "utf8");
}

for (const schema of SCHEMAS) {
  test(`${schema.module}: every setting has a kind and a doc, and nothing else does`, () => {
    assert.deepEqual(Object.keys(schema.kinds).sort(), names(schema));
    assert.deepEqual(Object.keys(schema.docs).sort(), names(schema));
    for (const k of names(schema)) assert.ok(schema.docs[k].length > 8, `${k}: no doc`);
  });

  test(`${schema.module}: the README table and the Lua twin's table are the schema's`, () => {
    const readme = readFileSync("README.md", "utf8");
    assert.equal(readme, readmeWithTable(readme, schema), "README.md: run npm run build");
    const twin = readFileSync(schema.twin, "utf8");
    assert.equal(twin, luaScriptWith(twin, schema), `${schema.twin}: run npm run build`);
    assert.deepEqual(luaSettingsTable(twin), schema.defaults);
  });

  test(`${schema.module}: the module and its twin read exactly the schema's settings`, () => {
    const src = readerSource(schema);
    const read = schema.module === "cri_time"
      ? [...src.matchAll(/nameIs\(k, kl, "(\w+)"\)/g)].map((m) => m[1])
      : [...src.matchAll(/setting\(\w+, \w+, "(\w+)"\)/g)].map((m) => m[1]);
    assert.deepEqual(sorted(read), names(schema), "names the module reads");
    const lua = readFileSync(schema.twin, "utf8");
    const body = lua.slice(lua.search(/local settings = \{[\s\S]*?\n\}/) + /local settings = \{[\s\S]*?\n\}/.exec(lua)![0].length);
    const used = [...body.matchAll(/\b(?:settings|cfg)\.(\w+)/g)].map((m) => m[1]);
    assert.deepEqual(sorted(used), names(schema), "names the twin reads");
  });

  test(`${schema.module}: fbwasm configure --help lists every setting with its default`, () => {
    for (const [k, v] of Object.entries(schema.defaults)) assert.ok(HELP.configure.includes(`\n  ${k}=${v}\n`), k);
  });
}

test("the CRI twin, loaded by LuaJIT, holds the schema's defaults as Lua values", () => {
  const out = execFileSync("luajit", ["-e", 'for k, v in pairs(dofile("lua/cri_time.lua")) do print(k .. "=" .. type(v) .. ":" .. tostring(v)) end'], { encoding: "utf8" });
  const schema = SCHEMAS[0];
  const want = Object.entries(schema.defaults).map(([k, v]) => `${k}=${schema.kinds[k] === "bool" ? "boolean" : schema.kinds[k] === "count" ? "number" : "string"}:${v}`);
  assert.deepEqual(out.trim().split("\n").sort(), want.sort());
});

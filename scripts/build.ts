/**
 * `npm run build`: regenerates the settings block sources, the README's settings tables and the Lua
 * twins' settings tables from the schemas (harness/settings-block.ts), compiles every shipped module into
 * build/, compiles each ahead of time for both AOT formats and both CPU architectures
 * (scripts/aot.ts) when the compilers are found, and writes build/manifest.json. The output is
 * deterministic: CI rebuilds and compares. Without a compiler, the AOT files already in build/
 * are kept when they were compiled from the same `.wasm` (the manifest records its sha256), and
 * the build says what it skipped; a stale one is removed.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { SCHEMAS, blockSource } from "../harness/settings-block.ts";
import { luaScriptWith, readmeWithTable } from "../harness/settings-tables.ts";
import { dirname } from "node:path";
import { compileAs } from "./asc.ts";
import { SHIPPED } from "./shipped.ts";
import { AOT_ARCHES, AOT_FLAGS, AOT_FORMATS, aotCommand, aotPath, compileAot, findWamrc } from "./aot.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

// Each module's settings block source, from its schema (written only when it changed).
for (const schema of SCHEMAS) {
  const source = blockSource(schema);
  let current = "";
  try { current = readFileSync(schema.source.file, "utf8"); } catch { /* first build */ }
  mkdirSync(dirname(schema.source.file), { recursive: true });
  if (current !== source) writeFileSync(schema.source.file, source);
}

// The lists generated from the same schemas: the README's settings tables, the Lua twins' tables.
const writeIfChanged = (file: string, text: string) => { if (readFileSync(file, "utf8") !== text) writeFileSync(file, text); };
writeIfChanged("README.md", SCHEMAS.reduce((readme, schema) => readmeWithTable(readme, schema), readFileSync("README.md", "utf8")));
for (const schema of SCHEMAS) writeIfChanged(schema.twin, luaScriptWith(readFileSync(schema.twin, "utf8"), schema));

mkdirSync("build", { recursive: true });
for (const m of SHIPPED) {
  compileAs(m.source, m.wasm);
  console.log(`built ${m.wasm} (${readFileSync(m.wasm).length} bytes)`);
}

interface AotEntry { file: string; sha256: string; bytes: number; format: number; arch: string; cpu: string; fluentBit: string; runIn: string[]; fromWasmSha256: string; command: string }
let previous: { modules?: { aot?: AotEntry[] }[] } = {};
try { previous = JSON.parse(readFileSync("build/manifest.json", "utf8")); } catch { /* first build */ }
const kept = new Map((previous.modules ?? []).flatMap((m) => m.aot ?? []).map((a) => [a.file, a]));

mkdirSync("build/aot", { recursive: true });
const skipped: string[] = [];
const aotOf = (wasm: string): AotEntry[] => {
  const wasmSha = sha256(readFileSync(wasm));
  const out: AotEntry[] = [];
  for (const f of AOT_FORMATS) {
    const wamrc = findWamrc(f.wamrc);
    for (const { arch } of AOT_ARCHES) {
      const file = aotPath(wasm, f.format, arch);
      if (wamrc) compileAot(wamrc, f, arch, wasm, file);
      const bytes = existsSync(file) ? readFileSync(file) : undefined;
      const sha = bytes && sha256(bytes);
      if (!wamrc) {
        const old = kept.get(file);
        if (!old || old.fromWasmSha256 !== wasmSha || sha !== old.sha256) {
          rmSync(file, { force: true });
          skipped.push(`${file} (wamrc-${f.wamrc} not found)`);
          continue;
        }
      }
      out.push({
        file, sha256: sha!, bytes: bytes!.length, format: f.format, arch, cpu: "generic",
        fluentBit: f.fluentBit, runIn: arch === "x86_64" ? f.runIn : [], fromWasmSha256: wasmSha, command: aotCommand(f, arch, wasm, file).join(" "),
      });
    }
  }
  return out;
};

const manifest = {
  // The package's version: a module is pinned by it and its sha256 (CHANGELOG.md).
  version: (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version,
  generatedBy: "npm run build (scripts/build.ts from scripts/shipped.ts and scripts/aot.ts)",
  aotFlags: AOT_FLAGS,
  modules: SHIPPED.map((m) => ({
    wasm: m.wasm,
    sha256: sha256(readFileSync(m.wasm)),
    bytes: readFileSync(m.wasm).length,
    eventFormats: m.eventFormats,
    benchmarkOnly: m.benchmarkOnly ?? false,
    functions: m.functions,
    aot: aotOf(m.wasm),
  })),
};
for (const m of manifest.modules) for (const a of m.aot) console.log(`built ${a.file} (${a.bytes} bytes, format ${a.format}, ${a.arch})`);
if (skipped.length) console.log(`skipped, no compiler found (set WAMRC_1_2_2 / WAMRC_2_4_1 or put wamrc-X.Y.Z on PATH):\n  ${skipped.join("\n  ")}`);
writeFileSync("build/manifest.json", JSON.stringify(manifest, null, 2) + "\n");
console.log("wrote build/manifest.json");

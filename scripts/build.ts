/**
 * `npm run build`: regenerates the settings block source, compiles every shipped module into
 * build/, and writes build/manifest.json. The output is deterministic: CI rebuilds and compares.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { blockSource } from "./config-block.ts";
import { compileAs } from "./asc.ts";
import { SHIPPED } from "./shipped.ts";

const blockFile = "assembly/config/block.ts";
const source = blockSource();
let current = "";
try { current = readFileSync(blockFile, "utf8"); } catch { /* first build */ }
if (current !== source) writeFileSync(blockFile, source);

mkdirSync("build", { recursive: true });
for (const m of SHIPPED) {
  compileAs(m.source, m.wasm);
  console.log(`built ${m.wasm} (${readFileSync(m.wasm).length} bytes)`);
}

const manifest = {
  generatedBy: "npm run build (scripts/build.ts from scripts/shipped.ts)",
  modules: SHIPPED.map((m) => ({
    wasm: m.wasm,
    bytes: readFileSync(m.wasm).length,
    eventFormats: m.eventFormats,
    benchmarkOnly: m.benchmarkOnly ?? false,
    functions: m.functions,
  })),
};
writeFileSync("build/manifest.json", JSON.stringify(manifest, null, 2) + "\n");
console.log("wrote build/manifest.json");

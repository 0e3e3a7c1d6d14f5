/** Builds a folder of filters/ (harness/scaffold.ts) and reads its cases. */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { compileAs } from "../../scripts/asc.ts";

export interface FilterCase { in: Record<string, unknown>; out: Record<string, unknown> | null }

export function filterFolder(dir: string, outDir = "tests/.probes"): { name: string; wasm: Uint8Array; cases: FilterCase[] } {
  const name = basename(dir);
  const source = join(dir, `${name}.ts`);
  if (!existsSync(source)) throw new Error(`${dir}: no ${name}.ts (a folder of filters/ holds NAME.ts and cases.jsonl)`);
  const out = join(outDir, `filter-${name}.wasm`);
  compileAs(source, out);
  const cases = readFileSync(join(dir, "cases.jsonl"), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as FilterCase);
  return { name, wasm: readFileSync(out), cases };
}

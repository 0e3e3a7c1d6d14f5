/** Builds the test probe modules once per test run (they are not shipped). */
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { compileAs } from "../../scripts/asc.ts";

const OUT = "tests/.probes";

export function probeWasm(): Uint8Array {
  mkdirSync(OUT, { recursive: true });
  const out = `${OUT}/probe.wasm`;
  const src = "tests/probes/probe.ts";
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) compileAs(src, out);
  return readFileSync(out);
}

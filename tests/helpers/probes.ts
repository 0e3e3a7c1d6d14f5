/** Builds the test probe modules once per test run (they are not shipped). */
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { compileAs } from "../../scripts/asc.ts";

const OUT = "tests/.probes";

function build(name: string, extraArgs: string[] = []): Uint8Array {
  mkdirSync(OUT, { recursive: true });
  const out = `${OUT}/${name}.wasm`;
  const src = `tests/probes/${name}.ts`;
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) compileAs(src, out, "release", extraArgs);
  return readFileSync(out);
}

export const probeWasm = () => build("probe");
export const importsAbortWasm = () => build("imports-abort");
export const noAllocatorWasm = () => build("no-allocator");
export const asRuntimeWasm = () => build("as-runtime", ["--runtime", "incremental", "--exportRuntime"]);

/** Builds the test probe modules once per test run (they are not shipped). */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { compileAs } from "../../scripts/asc.ts";

const OUT = "tests/.probes";

/** Newest modification time of the sources a probe is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk("assembly");
  walk("tests/probes");
  return Math.max(newest, statSync("asconfig.json").mtimeMs);
}

function build(name: string, extraArgs: string[] = [], target: "release" | "debug" = "release", source = `tests/probes/${name}.ts`): Uint8Array {
  mkdirSync(OUT, { recursive: true });
  const out = `${OUT}/${name}.wasm`;
  if (!existsSync(out) || statSync(out).mtimeMs < Math.max(newestSource(), statSync(source).mtimeMs)) {
    // Test files run in parallel processes: each compiles to its own file and renames it into place.
    const tmp = `${out}.${process.pid}.tmp`;
    compileAs(source, tmp, target, extraArgs);
    renameSync(tmp, out);
  }
  return readFileSync(out);
}

export const probeWasm = () => build("probe");
export const importsAbortWasm = () => build("imports-abort");
export const noAllocatorWasm = () => build("no-allocator");
export const asRuntimeWasm = () => build("as-runtime", ["--runtime", "incremental", "--exportRuntime"]);
export const coreWasm = () => build("core");
/** Filters on the SDK (assembly/sdk/) that read and edit records every way it offers. */
export const sdkWasm = () => build("sdk");
/** The SDK example of examples/sdk/. */
export const dropHealthChecksWasm = () => build("drop_health_checks", [], "release", "examples/sdk/drop_health_checks.ts");
/** The shipped filters in a debug build with guard bytes around every buffer (assembly/abi/guard.ts). */
export const guardedWasm = () => build("guarded", ["--use", "FBWASM_GUARD=1"], "debug");

export { Direct } from "../../harness/direct.ts";

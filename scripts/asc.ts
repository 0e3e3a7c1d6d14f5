/** Compiles AssemblyScript entry files with the project's asconfig.json (one place for the flags). */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const ascBin = join(dirname(require.resolve("assemblyscript/package.json")), "bin", "asc.js");

export function compileAs(entry: string, outFile: string, target: "release" | "debug" = "release", extraArgs: string[] = []): void {
  execFileSync(process.execPath, [ascBin, entry, "--config", "asconfig.json", "--target", target, "-o", outFile, ...extraArgs], { stdio: ["ignore", "inherit", "inherit"] });
}

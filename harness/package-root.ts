/**
 * The toolkit's own folder (the one with its package.json), found from this file's place, so the
 * same code finds build/manifest.json and package.json whether it runs as TypeScript in a clone
 * (harness/x.ts) or compiled in the installed package (dist/harness/x.js).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const NAME = "fluent-bit-cri-time-wasm";

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`${NAME}: package.json not found above ${from}`);
  }
}

export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A file of the toolkit by its path in the repository (e.g. "build/manifest.json"). */
export const packageFile = (path: string): string => join(PACKAGE_ROOT, path);

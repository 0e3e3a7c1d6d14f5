/**
 * A golden folder's `fbwasm.json`, read strictly: a golden check that did not run the filter
 * would compare unfiltered records with unfiltered records and pass for ever (emulated 2.x passes
 * records through when its module is missing, as real 2.1.8 does). So every key is known and
 * typed, the module is a WebAssembly file that exports the function, and a misspelt key is an
 * error that names the key it resembles.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { InputError } from "./input-error.ts";
import { readModuleInfo } from "./wasm-binary.ts";

export interface GoldenSpec {
  /** The module, relative to the folder (or absolute). */
  wasm: string;
  function: string;
  fluentBitVersion?: string;
  eventFormat?: "json" | "msgpack";
  /** Key a parser filter after the wasm filter turns into the event time. */
  thenParserKey?: string;
  /** Tag for msgpack streams (out_file writes one file per tag and no tag inside). */
  tag?: string;
}

const KEYS: Record<keyof GoldenSpec, { required: boolean; check?: (v: string) => string | undefined }> = {
  wasm: { required: true },
  function: { required: true },
  fluentBitVersion: { required: false, check: (v) => (/^\d+\.\d+\.\d+$/.test(v) ? undefined : "a release as X.Y.Z, e.g. 2.1.8") },
  eventFormat: { required: false, check: (v) => (v === "json" || v === "msgpack" ? undefined : "json or msgpack") },
  thenParserKey: { required: false },
  tag: { required: false },
};

/** The known key a misspelt one is closest to (edit distance at most 3). */
function closest(key: string): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = Object.keys(KEYS).map((k) => [k, dist(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best[1] <= 3 ? best[0] : undefined;
}

/** The spec of a folder, checked, with `wasm` resolved to a path that exists. */
export function readGoldenSpec(dir: string): GoldenSpec {
  const file = join(dir, "fbwasm.json");
  if (!existsSync(file)) throw new InputError(`${file} not found (it names the wasm and function to run; fbwasm make-golden writes one)`);
  let spec: Record<string, unknown>;
  try { spec = JSON.parse(readFileSync(file, "utf8")); } catch (e) { throw new InputError(`${file}: not JSON (${(e as Error).message})`); }
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw new InputError(`${file}: want an object {"wasm","function",…}`);
  for (const [k, v] of Object.entries(spec)) {
    const known = KEYS[k as keyof GoldenSpec];
    if (!known) { const near = closest(k); throw new InputError(`${file}: unknown key "${k}"${near ? ` (did you mean "${near}"?)` : ""}; the keys are ${Object.keys(KEYS).join(", ")}`); }
    if (typeof v !== "string" || v === "") throw new InputError(`${file}: "${k}" must be a non-empty string`);
    const why = known.check?.(v);
    if (why) throw new InputError(`${file}: "${k}": ${JSON.stringify(v)} is not ${why}`);
  }
  for (const [k, { required }] of Object.entries(KEYS)) if (required && spec[k] === undefined) throw new InputError(`${file}: "${k}" is missing`);
  const s = spec as unknown as GoldenSpec;
  const wasm = isAbsolute(s.wasm) ? s.wasm : join(dir, s.wasm);
  if (!existsSync(wasm)) throw new InputError(`${file}: "wasm": ${wasm} does not exist (a relative path is taken from the folder)`);
  let exports: { name: string; kind: string }[];
  try { exports = readModuleInfo(readFileSync(wasm)).exports; } catch (e) { throw new InputError(`${file}: "wasm": ${wasm}: ${(e as Error).message}`); }
  const functions = exports.filter((e) => e.kind === "func").map((e) => e.name);
  if (!functions.includes(s.function)) throw new InputError(`${file}: "function": ${wasm} exports no function ${s.function} (it exports: ${functions.join(", ")})`);
  return { ...s, wasm };
}

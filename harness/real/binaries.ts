/**
 * Which real Fluent Bit binaries the tests run against, in this order:
 *   1. `--fluent-bit BIN` (npm run test:fluent-bit -- --fluent-bit /usr/bin/fluent-bit), passed on
 *      as FBWASM_FLUENT_BIT (comma-separated): those binaries only;
 *   2. FLUENT_BIT_<X>_<Y>_<Z> (e.g. FLUENT_BIT_2_1_8) and FLUENT_BIT, each naming one binary;
 *   3. ../shared/fluent-bit/bin/fluent-bit-* beside the clone, when that folder exists.
 * The version of each is read from the binary itself (`--version`), never from its name.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { atLeast, parseVersion } from "../versions.ts";

export interface FluentBitBinary { path: string; version: string }

const REPO = resolve(import.meta.dirname, "..", "..");
export const SHARED_BIN = resolve(REPO, "..", "shared", "fluent-bit", "bin");

export function fluentBitVersionOf(path: string): string {
  const out = execFileSync(path, ["--version"], { encoding: "utf8", timeout: 10_000 });
  const m = /Fluent Bit v(\d+\.\d+\.\d+)/.exec(out);
  if (!m) throw new Error(`${path} --version did not print a Fluent Bit version: ${out.trim().slice(0, 200)}`);
  return m[1];
}

/** Paths named by the environment or found beside the clone, before their versions are read. */
export function candidatePaths(env: NodeJS.ProcessEnv = process.env): { paths: string[]; from: string } {
  if (env.FBWASM_FLUENT_BIT) return { paths: env.FBWASM_FLUENT_BIT.split(",").filter(Boolean), from: "--fluent-bit" };
  const named = Object.keys(env).filter((k) => /^FLUENT_BIT(_\d+_\d+_\d+)?$/.test(k)).sort().map((k) => env[k]!).filter(Boolean);
  if (named.length) return { paths: named, from: "FLUENT_BIT* variables" };
  if (existsSync(SHARED_BIN)) {
    const found = readdirSync(SHARED_BIN).filter((f) => /^fluent-bit-\d+\.\d+\.\d+$/.test(f)).sort().map((f) => join(SHARED_BIN, f));
    return { paths: found, from: SHARED_BIN };
  }
  return { paths: [], from: "nowhere" };
}

let cached: FluentBitBinary[] | undefined;

/** Every binary to test against, oldest version first; a path that is not Fluent Bit is an error. */
export function fluentBitBinaries(): FluentBitBinary[] {
  if (cached) return cached;
  const { paths } = candidatePaths();
  const seen = new Map<string, FluentBitBinary>();
  for (const p of paths) {
    if (!existsSync(p)) throw new Error(`Fluent Bit binary not found: ${p}`);
    const version = fluentBitVersionOf(p);
    if (!seen.has(version)) seen.set(version, { path: p, version });
  }
  cached = [...seen.values()].sort((a, b) => (a.version === b.version ? 0 : atLeast(parseVersion(a.version), b.version) ? 1 : -1));
  return cached;
}

/** CI sets FBWASM_REQUIRE_FLUENT_BIT=2.1.8,5.1.1: a missing one is then a failure, not a skip. */
export function requiredVersions(): string[] {
  return (process.env.FBWASM_REQUIRE_FLUENT_BIT ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

export const SKIP_MESSAGE =
  "real Fluent Bit tests skipped: no binary found. Run them with `npm run test:fluent-bit -- --fluent-bit /path/to/fluent-bit`, " +
  "or set FLUENT_BIT (or FLUENT_BIT_2_1_8, FLUENT_BIT_5_1_1), or put the binaries in ../shared/fluent-bit/bin.";

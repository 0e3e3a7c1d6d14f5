/**
 * Ahead-of-time compiled modules: Fluent Bit builds WAMR with AOT loading, so `wasm_path` may name
 * a file compiled by WAMR's `wamrc`, run as native code (docs/fluent-bit-facts.md, "AOT modules").
 *
 * An AOT file loads only in a runtime of its own AOT format and CPU architecture:
 *   - format 3: WAMR 1.1.1 to 1.3.3, bundled in Fluent Bit 2.0.x to 4.0.x (`AOT_CURRENT_VERSION`
 *     in each release's lib/wasm-micro-runtime-WAMR-<version>/core/config.h), compiled by
 *     wamrc 1.2.2;
 *   - format 5: WAMR 2.4.1, bundled in Fluent Bit 4.1.0 and later, compiled by wamrc 2.4.1.
 * Flags: `--disable-simd` (Fluent Bit's WAMR has no SIMD; wamrc 1.2.2 refuses a generic CPU
 * without it) and `--cpu=generic` (any x86_64 or ARMv8 CPU, not the build machine's).
 * Both compilers give the same bytes for the same input and flags, so CI rebuilds and compares.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { atLeast, parseVersion } from "../harness/versions.ts";
import { SHARED_BIN } from "../harness/real/binaries.ts";

export interface AotFormat {
  format: 3 | 5;
  wamrc: string; // the compiler's version
  /** Fluent Bit releases whose WAMR reads this format, and the ones run here. */
  fluentBit: string;
  runIn: string[];
}

export const AOT_FORMATS: AotFormat[] = [
  { format: 3, wamrc: "1.2.2", fluentBit: "2.0.x - 4.0.x", runIn: ["2.1.8"] },
  { format: 5, wamrc: "2.4.1", fluentBit: "4.1.0 and later", runIn: ["5.1.1"] },
];

/** `e_machine` in the file's target section: how a header names its architecture. */
export const AOT_ARCHES = [
  { arch: "x86_64", eMachine: 0x3e, name: /^x86_64/ },
  { arch: "aarch64", eMachine: 0xb7, name: /^aarch64/ },
] as const;
export type AotArch = (typeof AOT_ARCHES)[number]["arch"];

/** The format a Fluent Bit release's WAMR reads (2.0.x - 4.0.x: 3; 4.1.0 on: 5). */
export function aotFormatFor(fluentBitVersion: string): 3 | 5 {
  return atLeast(parseVersion(fluentBitVersion), "4.1.0") ? 5 : 3;
}

export const AOT_FLAGS = ["--cpu=generic", "--disable-simd"];

/** build/cri_time.wasm, format 5, aarch64 -> build/aot/cri_time-format5-aarch64.aot */
export function aotPath(wasm: string, format: number, arch: AotArch): string {
  return join("build", "aot", `${basename(wasm, ".wasm")}-format${format}-${arch}.aot`);
}

/** The compiler of one version: WAMRC_1_2_2-style variable, ../shared/fluent-bit/bin, or PATH. */
export function findWamrc(version: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env[`WAMRC_${version.replaceAll(".", "_")}`];
  if (named) return named;
  const shared = join(SHARED_BIN, `wamrc-${version}`);
  if (existsSync(shared)) return shared;
  try {
    return execFileSync("sh", ["-c", `command -v wamrc-${version}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The command that rebuilds one file, as the manifest records it. */
export function aotCommand(f: AotFormat, arch: AotArch, wasm: string, out: string): string[] {
  return [`wamrc-${f.wamrc}`, `--target=${arch}`, ...AOT_FLAGS, "-o", out, wasm];
}

export function compileAot(wamrc: string, f: AotFormat, arch: AotArch, wasm: string, out: string): void {
  const [, ...args] = aotCommand(f, arch, wasm, out);
  execFileSync(wamrc, args, { stdio: ["ignore", "ignore", "inherit"] });
}

export interface AotHeader { format: number; eMachine: number; arch: string }

/**
 * What an AOT file's header says: the `\0aot` magic, the format (u32), then the target-info
 * section (id 0) whose ELF-style fields give the machine, and whose last 16 bytes name the
 * architecture (`x86_64`, `aarch64v8`). Layout from WAMR's aot_emit.c (target info section).
 */
export function readAotHeader(b: Uint8Array): AotHeader {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 16 || dv.getUint32(0, false) !== 0x00616f74) throw new Error("not an AOT file (no \\0aot magic)");
  const format = dv.getUint32(4, true);
  const sectionId = dv.getUint32(8, true), size = dv.getUint32(12, true);
  if (sectionId !== 0 || 16 + size > b.length || size < 24) throw new Error("AOT file without its target-info section first");
  const eMachine = dv.getUint16(16 + 6, true);
  const archBytes = b.subarray(16 + size - 16, 16 + size);
  const arch = Buffer.from(archBytes.subarray(0, archBytes.indexOf(0) < 0 ? 16 : archBytes.indexOf(0))).toString("latin1");
  return { format, eMachine, arch };
}

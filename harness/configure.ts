/**
 * Settings for a shipped filter without rebuilding it: Fluent Bit passes a wasm filter nothing
 * but `function_name` (fluent-bit issue #11209), so the settings live in a fixed block inside the
 * module's data, found by its magic line and rewritten in a copy of the `.wasm`.
 */
import { InputError } from "./input-error.ts";
import { BLOCK_SIZE, DEFAULTS, MAGIC, parseBlock, renderBlock } from "../scripts/config-block.ts";

function findBlock(wasm: Uint8Array): number {
  const magic = Buffer.from(MAGIC, "utf8");
  const buf = Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength);
  const at = buf.indexOf(magic);
  if (at < 0) throw new InputError("this module has no settings block (not built from this toolkit's core?)");
  if (buf.indexOf(magic, at + 1) >= 0) throw new InputError("this module holds the settings magic twice: refusing to guess which one is the block");
  if (at + BLOCK_SIZE > buf.length) throw new InputError("the settings block is cut short");
  return at;
}

/** The settings a module carries. */
export function readSettings(wasm: Uint8Array): Record<string, string> {
  const at = findBlock(wasm);
  return parseBlock(wasm.subarray(at, at + BLOCK_SIZE));
}

/** A copy of the module with the given settings changed (others keep their current value). */
export function configure(wasm: Uint8Array, changes: Record<string, string>): Uint8Array {
  const at = findBlock(wasm);
  const current = parseBlock(wasm.subarray(at, at + BLOCK_SIZE));
  const out = new Uint8Array(wasm);
  out.set(renderBlock({ ...current, ...changes }), at);
  return out;
}

export { DEFAULTS };

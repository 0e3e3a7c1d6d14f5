/**
 * Settings for a shipped filter without rebuilding it: Fluent Bit passes a wasm filter nothing
 * but `function_name` (fluent-bit issue #11209), so the settings live in a fixed block inside the
 * module's data, found by its magic line (which names its schema: harness/settings-block.ts) and
 * rewritten in a copy of the `.wasm` (or of an AOT file: the block is copied into it as it is).
 */
import { InputError } from "./input-error.ts";
import { DEFAULTS, SCHEMAS, Schema, parseBlock, renderBlock } from "./settings-block.ts";

function findBlock(wasm: Uint8Array): { at: number; schema: Schema } {
  const buf = Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength);
  const found = SCHEMAS.map((schema) => ({ schema, at: buf.indexOf(Buffer.from(schema.magic, "utf8")) })).filter((f) => f.at >= 0);
  if (!found.length) throw new InputError("this module has no settings block (not built from this toolkit's core?)");
  if (found.length > 1) throw new InputError("this module holds two settings blocks: refusing to guess which one is its own");
  const { schema, at } = found[0];
  if (buf.indexOf(Buffer.from(schema.magic, "utf8"), at + 1) >= 0) throw new InputError("this module holds the settings magic twice: refusing to guess which one is the block");
  if (at + schema.size > buf.length) throw new InputError("the settings block is cut short");
  return { at, schema };
}

/** The settings a module carries. */
export function readSettings(wasm: Uint8Array): Record<string, string> {
  const { at, schema } = findBlock(wasm);
  return parseBlock(wasm.subarray(at, at + schema.size), schema);
}

/** The module a block belongs to (cri_time, match). */
export function settingsModule(wasm: Uint8Array): string {
  return findBlock(wasm).schema.module;
}

/** A copy of the module with the given settings changed (others keep their current value). */
export function configure(wasm: Uint8Array, changes: Record<string, string>): Uint8Array {
  const { at, schema } = findBlock(wasm);
  const current = parseBlock(wasm.subarray(at, at + schema.size), schema);
  const out = new Uint8Array(wasm);
  out.set(renderBlock({ ...current, ...changes }, schema), at);
  return out;
}

export { DEFAULTS };

/**
 * Registers tests that run against every real Fluent Bit binary found (harness/real/binaries.ts),
 * or one skipped test that says how to run them. A version CI requires (FBWASM_REQUIRE_FLUENT_BIT)
 * that is missing fails instead.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FluentBitBinary, SKIP_MESSAGE, fluentBitBinaries, requiredVersions } from "../../harness/real/binaries.ts";
import { FbEvent, readMsgpackStream } from "../../harness/events.ts";
import { behaviourFor } from "../../harness/versions.ts";

const binaries = fluentBitBinaries();
const required = requiredVersions();

if (required.length) {
  test(`real Fluent Bit: the required versions are present (${required.join(", ")})`, () => {
    const have = binaries.map((b) => b.version);
    for (const v of required) assert.ok(have.includes(v), `Fluent Bit ${v} is required (FBWASM_REQUIRE_FLUENT_BIT) but not found; found: ${have.join(", ") || "none"}`);
  });
}

export function forEachFluentBit(what: string, body: (bin: FluentBitBinary) => void): void {
  if (!binaries.length) {
    test(`real Fluent Bit: ${what}`, { skip: SKIP_MESSAGE }, () => {});
    return;
  }
  for (const b of binaries) body(b);
}

/** Fluent Bit 4.1+ keeps one wasm instance per filter; the forward input must then run threaded. */
export const persistentWasm = (version: string) => behaviourFor(version).persistentInstance;

/** Events of one out_file (Format msgpack) file. */
export function outEvents(outputs: Map<string, Uint8Array>, file: string, tag = file): FbEvent[] {
  const bytes = outputs.get(file);
  return bytes ? readMsgpackStream(bytes, tag) : [];
}

/** Fluent Bit's log lines without their time prefix, for comparing with the harness's. */
export function logLines(log: string): string[] {
  return log.split("\n").map((l) => l.replace(/^\[\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(\.\d+)?\] /, "").trimEnd()).filter(Boolean);
}

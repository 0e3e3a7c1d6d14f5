/**
 * What changes for a wasm filter from one Fluent Bit release to the next (docs/fluent-bit-facts.md,
 * and the README's "Fluent Bit versions"). Only v2.1.8 and v5.1.1 were measured; other releases take the documented switch
 * points, and the JSON reader, JSON writer and chunk encoding switch with the measured releases
 * at 5.0.0 (the yyjson default landed between the two; the exact release was not measured).
 */
export type Version = [number, number, number];

export function parseVersion(v: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v.trim());
  if (!m) throw new Error(`not a Fluent Bit version: ${v} (want X.Y.Z)`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function atLeast(v: Version, w: string): boolean {
  const o = parseVersion(w);
  for (let i = 0; i < 3; i++) if (v[i] !== o[i]) return v[i] > o[i];
  return true;
}

export const NEWEST = "5.1.1";

/** The releases whose behaviour was measured with real binaries; every other takes the switch points below. */
export const MEASURED = ["2.1.8", "5.1.1"];

/** For a release that was not measured: what it is emulated as, in one line; undefined for a measured one. */
export function fallbackNote(version: string): string | undefined {
  const v = parseVersion(version);
  if (MEASURED.includes(v.join("."))) return undefined;
  const like = atLeast(v, "5.0.0") ? "5.1.1" : "2.1.8";
  return `Fluent Bit ${v.join(".")} was not measured (measured: ${MEASURED.join(", ")}): its JSON handling and chunk encoding are taken as ${like}'s, its lifecycle and options from the releases that changed them (README, "Fluent Bit versions")`;
}

export interface Behaviour {
  version: string;
  /** JSON reader/writer family: "v2" (jsmn, raw UTF-8) or "v5" (yyjson, json.escape_unicode). */
  json: "v2" | "v5";
  msgpackFormat: boolean; // event_format msgpack, 3.0.0+
  heapStackOptions: boolean; // wasm_heap_size / wasm_stack_size, 3.1.5+
  persistentInstance: boolean; // one instance per [FILTER], 4.1.0+
  freesCopies: boolean; // tag/record copies freed after the call, 4.2.0+
  groupsUntouched: boolean; // group markers pass the filter, 4.2.3+
  /** A failed result validation leaves an exception set: the next call fails too (persistent instance). */
  invalidResultPoisonsNext: boolean;
  /** v2 refuses a function with more parameter cells than it passes. */
  checksArgumentCount: boolean;
  /** Bodies nested deeper than this (containers) silently vanish before the filter (v2.1.8: 31). */
  inputDepthLimit: number;
  /**
   * Nesting limit (containers, the event's array included) of the count that decides whether a
   * chunk holds records at all (none: the chunk is skipped, out_file msgpack included): 5.1.1 64;
   * 2.1.8 none seen (conformance json-output, nested_depth_64 and nested_depth_200 reach out_file).
   */
  chunkDepthLimit: number;
  /**
   * Nesting limit of the decoder outputs read a chunk's events with; the events after a deeper one
   * are lost to them: 5.1.1 64; 2.1.8 32 (conformance chunk_poisoning, json:nested_depth_64; and
   * measured: a returned body of 32, 33, 48, 64, 65 containers ends what out_file JSON prints of
   * its chunk, docs/fluent-bit-facts.md).
   */
  decodeDepthLimit: number;
  /** Event header in the chunk: v5 `92 92 d7 00 …`, v2 array32 headers. */
  eventHeader: "fixarray" | "array32";
  /** A bad wasm_path: v2 starts and passes records through unfiltered; later releases refuse to start. */
  badPathPassesThrough: boolean;
  /** With a persistent instance, records from in_forward without `threaded on` fail (native stack overflow). */
  forwardInputFails: boolean;
  /**
   * The log event encoder refuses an event time outside 0 .. 2^32-1 seconds (5.1.1: the parser
   * filter leaves the record out, the Lua filter fails the batch); 2.1.8 stores it wrapped. The
   * release in between that changed this was not measured: taken as 5.0.0.
   */
  eventTimeRangeChecked: boolean;
  /** The parser reads a time text longer than 63 bytes (5.1.0+, from the sources; 2.1.8 refuses it). */
  longTimeText: boolean;
}

export function behaviourFor(version: string = NEWEST): Behaviour {
  const v = parseVersion(version);
  const v5 = atLeast(v, "5.0.0");
  const persistent = atLeast(v, "4.1.0");
  return {
    version: v.join("."),
    json: v5 ? "v5" : "v2",
    msgpackFormat: atLeast(v, "3.0.0"),
    heapStackOptions: atLeast(v, "3.1.5"),
    persistentInstance: persistent,
    freesCopies: atLeast(v, "4.2.0"),
    groupsUntouched: atLeast(v, "4.2.3"),
    invalidResultPoisonsNext: persistent,
    checksArgumentCount: !persistent,
    inputDepthLimit: v5 ? Infinity : 31,
    chunkDepthLimit: v5 ? 64 : Infinity,
    decodeDepthLimit: v5 ? 64 : 32,
    eventHeader: v5 ? "fixarray" : "array32",
    badPathPassesThrough: !persistent,
    forwardInputFails: persistent,
    eventTimeRangeChecked: v5,
    longTimeText: atLeast(v, "5.1.0"),
  };
}

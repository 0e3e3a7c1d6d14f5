/**
 * The shipped filters: the one list that the build, build/manifest.json, the tests and the docs
 * are made from.
 */
export interface ShippedFunction {
  name: string;
  summary: string;
  /** Keys the function writes (besides rewriting `log` and adding `stream`/`_p` on raw lines). */
  writes: string[];
  /** The Fluent Bit stage that must follow, if any. */
  then: string | null;
}

export interface ShippedModule {
  wasm: string;
  source: string;
  eventFormats: ("json" | "msgpack")[];
  functions: ShippedFunction[];
  /** Not for production pipelines (benchmark floor). */
  benchmarkOnly?: boolean;
}

const parserStage = "[FILTER] name parser, Key_Name _event_time, Parser event_time (regex ^(?<time>.+)$, Time_Key time, Time_Format %Y-%m-%dT%H:%M:%S.%L%z), Preserve_Key Off, Reserve_Data On (1 ns early for about 1.7% of times); or, exact: [FILTER] name lua, Script cri_time.lua, Call set_event_time, Time_as_Table On";

export const SHIPPED: ShippedModule[] = [
  {
    wasm: "build/cri_time.wasm",
    source: "assembly/cri_time.ts",
    eventFormats: ["json"],
    functions: [
      { name: "cri_timestamp", summary: "Writes the line's CRI/Docker write time as `@timestamp` (RFC 3339 UTC, 9 digits) for the es/opensearch outputs; splits raw CRI lines, mends glued ones, adds diagnostics.", writes: ["@timestamp", "cri_check"], then: null },
      { name: "cri_event_time", summary: "Writes the write time as `_event_time` for a following parser filter that makes it the event time (any output); splits, mends, diagnoses.", writes: ["_event_time", "cri_check"], then: parserStage },
      { name: "cri_timestamp_and_event_time", summary: "Both: `@timestamp` for Elasticsearch and `_event_time` for the parser filter.", writes: ["@timestamp", "_event_time", "cri_check"], then: parserStage },
      { name: "cri_check", summary: "Diagnostics only: the record is returned as it came (as valid JSON), plus `cri_check` when something is wrong.", writes: ["cri_check"], then: null },
    ],
  },
  {
    wasm: "build/match.wasm",
    source: "assembly/match.ts",
    eventFormats: ["json"],
    functions: [
      { name: "match_records", summary: "Keeps or drops records by the values of their members (`rules`: substring, prefix, exact, numeric compare, exists; `action` drop|keep, `combine` any|all); a kept record is returned as it came, mended into valid JSON.", writes: [], then: null },
    ],
  },
  {
    wasm: "build/lift.wasm",
    source: "assembly/lift.ts",
    eventFormats: ["json"],
    functions: [
      { name: "lift_json", summary: "Lifts the members of a JSON object inside `log` (behind a CRI header or not) into the record, or `under` a key, as Merge_Log does; the record's own members win; a `log` that is no JSON object is kept as it is.", writes: [], then: null },
    ],
  },
  {
    wasm: "build/redact.wasm",
    source: "assembly/redact.ts",
    eventFormats: ["json"],
    functions: [
      { name: "redact_secrets", summary: "Masks the values of named members at any depth (`keys`) and the secrets inside every string, `log` included (`secrets`: bearer tokens, password-like values, e-mail addresses, Luhn-valid card numbers), with `mask`; the rest is copied as it came.", writes: [], then: null },
    ],
  },
  {
    wasm: "build/floor.wasm",
    source: "assembly/floor.ts",
    eventFormats: ["json"],
    benchmarkOnly: true,
    functions: [
      { name: "passthrough", summary: "Benchmark floor: returns the record it was given (drops what Fluent Bit itself hands over as invalid JSON).", writes: [], then: null },
    ],
  },
];

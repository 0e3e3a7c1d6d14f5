// Which top-level members the CRI filters read and which they write themselves, per entry point
// (the one-pass runner's plan, sdk/pass.ts). Keys come from the settings, read on the first call.
import { Span, checkKey, eventTimeKey, idKey, kube, kubeKey, loadConfig, logKey, streamKey, tagKey, timeKey, timestampKey } from "../config/config";
import { Plan } from "../sdk/pass";
import { watchBytes } from "../sdk/watched";

/** What an exported entry point writes. */
export const enum Mode {
  Timestamp = 1, // `@timestamp` for the es/opensearch outputs
  EventTime = 2, // a key a parser filter turns into the event time
  Rewrite = 4, // split raw lines, mend glued ones
  Check = 8, // the diagnostics key
}

/**
 * The watched keys, in the order they are looked for: where settings name one key twice, the
 * first role wins (a `time_key` equal to `log_key` is `log`).
 */
export const enum Key { Log, Time, Stream, Tag, Timestamp, EventTime, Check, Kube, Id }

// @ts-ignore: decorator
@inline function bit(k: Key): u32 { return (<u32>1) << <u32>k; }

const PLANS: usize = memory.data(<i32>offsetof<Plan>() * 16, 8);

// @ts-ignore: decorator
@lazy let planned: bool = false;

function watchSpan(s: Span): void { watchBytes(s.ptr, s.len); }

/** Members an entry point of `mode` reads and holds. */
function makePlan(mode: i32): void {
  const rewrites = (mode & Mode.Rewrite) != 0;
  let notes = bit(Key.Log) | bit(Key.Time) | bit(Key.Stream) | bit(Key.Tag) | bit(Key.Kube);
  // Held: written after the copy (log, possibly rewritten), or replaced, or put back.
  let holds = bit(Key.Kube) | (rewrites ? bit(Key.Log) : 0);
  if ((mode & Mode.Timestamp) != 0) { notes |= bit(Key.Timestamp); holds |= bit(Key.Timestamp); }
  if ((mode & Mode.EventTime) != 0) { notes |= bit(Key.EventTime); holds |= bit(Key.EventTime); }
  if ((mode & Mode.Check) != 0) { notes |= bit(Key.Check); holds |= bit(Key.Check); } // recomputed
  if (rewrites) { notes |= bit(Key.Id); holds |= bit(Key.Id); } // replaced when an id is made
  // A `log` or `time` that is no string is no line: copied as it came.
  planAt(mode).init(notes, holds, bit(Key.Log) | bit(Key.Time), mode, checkKey, logKey);
}

// @ts-ignore: decorator
@inline function planAt(mode: i32): Plan {
  return changetype<Plan>(PLANS + <usize>mode * offsetof<Plan>());
}

/** The plan of an entry point of `mode` (settings read and keys watched on the first call). */
// @ts-ignore: decorator
@inline export function planFor(mode: i32): Plan {
  if (!planned) makePlans();
  return planAt(mode);
}

function makePlans(): void {
  planned = true;
  loadConfig();
  watchSpan(logKey); watchSpan(timeKey); watchSpan(streamKey); watchSpan(tagKey);
  watchSpan(timestampKey); watchSpan(eventTimeKey); watchSpan(checkKey);
  // A setting turned off watches an empty key, which no member has.
  watchBytes(kubeKey.ptr, kube ? kubeKey.len : 0);
  watchSpan(idKey);
  for (let m = 0; m < 16; m++) makePlan(m);
}

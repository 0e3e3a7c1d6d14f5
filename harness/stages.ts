/**
 * The two Fluent Bit stages that carry a time found in the record into the output, as observed
 * in real Fluent Bit (docs/fluent-bit-facts.md, "The parser filter"): a wasm filter cannot set the event
 * time itself.
 *
 * - The parser filter with a regex parser `^(?<time>.+)$`, `Time_Key time` and a `Time_Format`,
 *   applied to `Key_Name`: sets the event time, and rebuilds the record as Fluent Bit does
 *   (parsed fields first, then the original ones when `Reserve_Data On`).
 * - The es/opensearch output's `@timestamp`: the record's own value wins, else the event time.
 */
import { FbEvent } from "./events.ts";
import { MpValue, asText, decode, encode, mp } from "./msgpack.ts";
import { behaviourFor } from "./versions.ts";

export interface ParserStageOptions {
  keyName: string;
  /** The release whose parser to follow (default the newest measured). */
  fluentBitVersion?: string;
  /** strftime-like; supported: %Y %m %d %H %M %S %L (fraction, up to 9 digits) %z (Z, ±hh:mm, ±hhmm) and literals. */
  timeFormat?: string;
  preserveKey?: boolean;
  timeKeep?: boolean;
  reserveData?: boolean;
  parserName?: string;
}

export interface StageResult {
  event: FbEvent;
  log: string[];
  /** The parsed seconds before they are stored in the event time (which holds an unsigned 32-bit number). */
  parsedSec?: number;
}

const DEFAULT_FORMAT = "%Y-%m-%dT%H:%M:%S.%L%z";

/**
 * Fluent Bit's strptime + timegm: fields are range-checked one by one (day 1-31, hour 0-23…) and
 * timegm then normalises (Feb 30 becomes Mar 2). Returns undefined when the text does not match.
 */
export function fluentBitStrptime(text: string, format: string): { sec: number; nsec: number } | undefined {
  let i = 0;
  const f: Record<string, number> = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0 };
  let nsec = 0, offset = 0;
  const num = (min: number, max: number, maxDigits: number): number | undefined => {
    const m = new RegExp(`^[0-9]{1,${maxDigits}}`).exec(text.slice(i));
    if (!m) return undefined;
    const v = Number(m[0]);
    if (v < min || v > max) return undefined;
    i += m[0].length;
    return v;
  };
  for (let k = 0; k < format.length; k++) {
    const c = format[k];
    if (c !== "%") { if (text[i] !== c) return undefined; i++; continue; }
    const d = format[++k];
    let v: number | undefined;
    switch (d) {
      case "Y": v = num(0, 9999, 4); if (v === undefined) return undefined; f.Y = v; break;
      case "m": v = num(1, 12, 2); if (v === undefined) return undefined; f.m = v; break;
      case "d": v = num(1, 31, 2); if (v === undefined) return undefined; f.d = v; break;
      case "H": v = num(0, 23, 2); if (v === undefined) return undefined; f.H = v; break;
      case "M": v = num(0, 59, 2); if (v === undefined) return undefined; f.M = v; break;
      case "S": v = num(0, 61, 2); if (v === undefined) return undefined; f.S = v; break;
      case "L": {
        // parse_subseconds (src/flb_parser.c): at most 9 digits, read by strtod as "0.<digits>",
        // then tv_nsec = frac * 1000000000 truncated (src/flb_parser_regex.c). The double
        // loses 1 ns on about 1.7% of nanosecond values (.532025746 -> .532025745). A tenth
        // digit is left for the rest of the format, where it does not match.
        const m = /^[0-9]{1,9}/.exec(text.slice(i));
        if (!m) return undefined;
        nsec = Math.trunc(Number("0." + m[0]) * 1_000_000_000);
        i += m[0].length;
        break;
      }
      case "z": {
        if (text[i] === "Z" || text[i] === "z") { i++; break; }
        const m = /^([+-])(\d\d):?(\d\d)/.exec(text.slice(i));
        if (!m) return undefined;
        offset = (Number(m[2]) * 60 + Number(m[3])) * 60 * (m[1] === "-" ? -1 : 1);
        i += m[0].length;
        break;
      }
      default: return undefined;
    }
  }
  // Text after the format is not checked (flb_parser_time_lookup stops where strptime did).
  // timegm: out-of-range days roll into the next month, as the recordings show (Feb 30 -> Mar 2).
  const t = new Date(0);
  t.setUTCFullYear(f.Y, f.m - 1, f.d);
  t.setUTCHours(f.H, f.M, f.S, 0);
  const sec = Math.floor(t.getTime() / 1000) - offset;
  return { sec, nsec };
}

function strEntry(k: string, v: MpValue): [MpValue, MpValue] { return [mp.str(k), v]; }

export function parserStage(ev: FbEvent, o: ParserStageOptions): StageResult {
  const body = decode(ev.body);
  if (body.t !== "map") return { event: ev, log: [] };
  const idx = body.entries.findIndex(([k]) => asText(k) === o.keyName);
  if (idx < 0) return { event: ev, log: [] };
  const value = body.entries[idx][1];
  // The regex ^(?<time>.+)$ in Onigmo's Ruby syntax: ^ and $ match at line breaks and . does not
  // match one, so the capture is the first non-empty line; a value without one does not match.
  const whole = asText(value);
  const text = whole?.split("\n").find((l) => l.length > 0);
  if (text === undefined) return { event: ev, log: [] };
  const parsed: [MpValue, MpValue][] = [];
  const log: string[] = [];
  let sec = ev.sec, nsec = ev.nsec, parsedSec: number | undefined;
  // Before 5.1.0 flb_parser_time_lookup copies the time into a 64-byte buffer and refuses a
  // longer capture (measured on 2.1.8; 5.1.1 allocates one as long as needed).
  const tooLong = !behaviourFor(o.fluentBitVersion).longTimeText && Buffer.byteLength(text) > 63;
  const t = tooLong ? undefined : fluentBitStrptime(text, o.timeFormat ?? DEFAULT_FORMAT);
  if (t) {
    parsedSec = t.sec;
    sec = t.sec >>> 0; nsec = t.nsec;
    if (o.timeKeep) parsed.push(strEntry("time", value));
  } else {
    log.push(`[ warn] [parser:${o.parserName ?? "event_time"}] invalid time format ${o.timeFormat ?? DEFAULT_FORMAT} for '${text}'`);
  }
  const out: [MpValue, MpValue][] = [...parsed];
  if (o.reserveData) {
    body.entries.forEach((e, i) => { if (i !== idx || o.preserveKey) out.push(e); });
  } else if (o.preserveKey) out.push(body.entries[idx]);
  return { event: { ...ev, sec, nsec, timeKind: "eventtime", body: encode(mp.map(out)) }, log, parsedSec };
}

export interface ParserFilterOptions extends ParserStageOptions {
  /** The filter instance's name in log lines: the plugin and its position among all filters (parser.5). */
  instance?: string;
}

/**
 * `[FILTER] name parser` over one batch (one filter call). A parsed time the event time cannot
 * hold (seconds before 1970 or from 2^32 on) is stored wrapped by 2.x; 5.x's event encoder refuses
 * it and the record is left out of the batch, and when no record is left the batch passes as it
 * came (docs/fluent-bit-facts.md, "Event time range").
 */
export function parserFilterBatch(events: FbEvent[], o: ParserFilterOptions): { events: FbEvent[]; log: string[] } {
  const refuses = behaviourFor(o.fluentBitVersion).eventTimeRangeChecked;
  const out: FbEvent[] = [];
  const log: string[] = [];
  const p = `[filter:parser:${o.instance ?? "parser.0"}]`;
  for (const ev of events) {
    const r = parserStage(ev, o);
    log.push(...r.log);
    if (refuses && r.parsedSec !== undefined && (r.parsedSec < 0 || r.parsedSec >= 2 ** 32)) {
      log.push(`[error] ${p} log event encoder error : -4`);
      continue;
    }
    out.push(r.event);
  }
  if (refuses && out.length === 0 && events.length > 0) {
    log.push(`[error] ${p} Log event encoder error : -12`);
    return { events, log };
  }
  return { events: out, log };
}

export interface EsOptions {
  /** `Time_Key` (default @timestamp). */
  timeKey?: string;
  /** `Time_Key_Nanos`: nine fraction digits instead of three. */
  timeKeyNanos?: boolean;
}

function two(n: number): string { return String(n).padStart(2, "0"); }

/** The `@timestamp` (or Time_Key) value the es/opensearch output sends for this event. */
export function esTimestamp(ev: FbEvent, o: EsOptions = {}): string {
  const key = o.timeKey ?? "@timestamp";
  const own = decode(ev.body);
  if (own.t === "map") {
    const hit = own.entries.find(([k]) => asText(k) === key);
    if (hit) {
      const s = asText(hit[1]);
      if (s !== undefined) return s;
    }
  }
  const d = new Date(ev.sec * 1000);
  const base = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const frac = o.timeKeyNanos ? String(ev.nsec).padStart(9, "0") : String(Math.floor(ev.nsec / 1e6)).padStart(3, "0");
  return `${base}.${frac}Z`;
}

/** Epoch nanoseconds of an RFC 3339 text, exactly (BigInt), or undefined. Used by tests and tools. */
export function rfc3339ToNanos(text: string): bigint | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))$/.exec(text);
  if (!m) return undefined;
  const [Y, M, D, h, mi, s] = m.slice(1, 7).map(Number);
  if (M < 1 || M > 12 || D < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const dim = [31, (Y % 4 === 0 && Y % 100 !== 0) || Y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][M - 1];
  if (D > dim || Y < 1) return undefined;
  const days = BigInt(daysFromCivil(Y, M, D));
  let sec = days * 86400n + BigInt(h * 3600 + mi * 60 + s);
  if (m[9]) sec -= BigInt((Number(m[10]) * 60 + Number(m[11])) * 60) * (m[9] === "-" ? -1n : 1n);
  const frac = BigInt(((m[7] ?? "") + "000000000").slice(0, 9));
  return sec * 1_000_000_000n + frac;
}

/**
 * Days since 1970-01-01, by counting leap years (a formulation independent of the filter's
 * days_from_civil, so tests do not check the code against itself).
 */
export function daysFromCivil(y: number, m: number, d: number): number {
  const leap = (yy: number) => (yy % 4 === 0 && yy % 100 !== 0) || yy % 400 === 0;
  const leapsBefore = (yy: number) => Math.floor((yy - 1) / 4) - Math.floor((yy - 1) / 100) + Math.floor((yy - 1) / 400);
  const dims = [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  let doy = d - 1;
  for (let mm = 1; mm < m; mm++) doy += dims[mm - 1];
  return 365 * (y - 1970) + leapsBefore(y) - leapsBefore(1970) + doy;
}

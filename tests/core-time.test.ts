/**
 * RFC 3339 / CRI times in the AssemblyScript core: table of boundaries, then properties against
 * an independent reference written with JavaScript BigInt arithmetic (harness/stages.ts
 * rfc3339ToNanos, which counts leap years instead of using days_from_civil).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Direct, coreWasm } from "./helpers/probes.ts";
import { rfc3339ToNanos } from "../harness/stages.ts";
import { rng } from "./helpers/fuzz.ts";

const core = new Direct(coreWasm());
const STATUS = ["ok", "empty", "bad_syntax", "bad_year", "bad_month", "bad_day", "bad_hour", "bad_minute", "bad_second", "bad_fraction", "bad_offset", "out_of_range"];

function parse(text: string): { status: string; nanos?: bigint; len?: number } {
  const [p, n] = core.put(text);
  const status = STATUS[core.ex.parse_time(p, n)];
  if (status !== "ok") return { status };
  return { status, nanos: BigInt(core.ex.parsed_sec()) * 1_000_000_000n + BigInt(core.ex.parsed_nsec()), len: core.ex.parsed_len() };
}

function format(nanos: bigint): string {
  let sec = nanos / 1_000_000_000n, nsec = nanos % 1_000_000_000n;
  if (nsec < 0n) { nsec += 1_000_000_000n; sec -= 1n; }
  return core.cstr(core.ex.format_time(sec, Number(nsec))).toString("latin1");
}

const TABLE: [string, string, string?][] = [
  // text, status, expected UTC (9 digits) when ok
  ["2023-10-16T09:48:55.123456789Z", "ok", "2023-10-16T09:48:55.123456789Z"],
  ["2024-04-13T07:59:37.505201169-10:00", "ok", "2024-04-13T17:59:37.505201169Z"],
  ["2025-07-10T08:47:36.927938223-05:00", "ok", "2025-07-10T13:47:36.927938223Z"],
  ["2021-08-04T21:35:34.052786076+02:00", "ok", "2021-08-04T19:35:34.052786076Z"],
  ["2019-04-30T02:12:41.8443515Z", "ok", "2019-04-30T02:12:41.844351500Z"],
  ["2022-09-07T11:52:55.505530838Z", "ok", "2022-09-07T11:52:55.505530838Z"],
  ["2023-10-16T09:50:58Z", "ok", "2023-10-16T09:50:58.000000000Z"],
  ["2023-10-16t09:50:58z", "ok", "2023-10-16T09:50:58.000000000Z"],
  ["2023-10-16T15:04:05+09:00", "ok", "2023-10-16T06:04:05.000000000Z"],
  ["2023-10-16T09:50:58.1234567891234Z", "ok", "2023-10-16T09:50:58.123456789Z"], // digits past the 9th truncated
  ["2024-02-29T00:00:00Z", "ok", "2024-02-29T00:00:00.000000000Z"],
  ["2000-02-29T23:59:59.999999999Z", "ok", "2000-02-29T23:59:59.999999999Z"],
  ["1969-12-31T23:59:59.999999999Z", "ok", "1969-12-31T23:59:59.999999999Z"],
  ["0001-01-01T00:00:00Z", "ok", "0001-01-01T00:00:00.000000000Z"],
  ["9999-12-31T23:59:59.999999999Z", "ok", "9999-12-31T23:59:59.999999999Z"],
  ["2023-01-01T00:30:00+01:00", "ok", "2022-12-31T23:30:00.000000000Z"],
  ["0001-01-01T00:30:00+01:00", "out_of_range"],
  ["9999-12-31T23:30:00-01:00", "out_of_range"],
  ["2023-02-29T00:00:00Z", "bad_day"],
  ["1900-02-29T00:00:00Z", "bad_day"],
  ["2023-02-30T10:00:00.123456789Z", "bad_day"],
  ["2023-04-31T00:00:00Z", "bad_day"],
  ["2023-06-01T24:00:00.5Z", "bad_hour"],
  ["2023-06-01T23:60:00Z", "bad_minute"],
  ["2016-12-31T23:59:60Z", "bad_second"],
  ["2023-13-01T00:00:00Z", "bad_month"],
  ["2023-00-01T00:00:00Z", "bad_month"],
  ["2023-01-00T00:00:00Z", "bad_day"],
  ["0000-01-01T00:00:00Z", "bad_year"],
  ["2023-10-16T09:50:58.Z", "bad_fraction"],
  ["2026-11-23T06:33:29.086279612", "bad_offset"],
  ["2023-10-16T09:50:58+0900", "bad_offset"],
  ["2023-10-16T09:50:58+24:00", "bad_offset"],
  ["2023-10-16 09:50:58Z", "bad_syntax"],
  ["2023-1-16T09:50:58Z", "bad_syntax"],
  ["3242", "bad_syntax"],
  ["", "empty"],
];

test("RFC 3339 table: every boundary", () => {
  for (const [text, status, utc] of TABLE) {
    const r = parse(text);
    assert.equal(r.status, status, text);
    if (utc) {
      assert.equal(r.nanos, rfc3339ToNanos(utc), `${text}: instant`);
      assert.equal(format(r.nanos!), utc, `${text}: formatted`);
    }
  }
});

test("a time followed by more text reports where it ended", () => {
  const r = parse("2023-10-16T09:48:55.5Z stdout F hi");
  assert.equal(r.status, "ok");
  assert.equal(r.len, 22);
});

test("property: format then parse is the identity, and the epoch matches the BigInt reference (0001-9999, all offset forms)", () => {
  const r = rng(20231016);
  const MIN = rfc3339ToNanos("0001-01-02T00:00:00Z")!, MAX = rfc3339ToNanos("9999-12-30T00:00:00Z")!;
  const span = MAX - MIN;
  for (let i = 0; i < 20000; i++) {
    const t = MIN + (BigInt(Math.floor(r() * 2 ** 26)) * span) / 2n ** 26n + BigInt(Math.floor(r() * 1e9));
    const utc = format(t);
    assert.equal(rfc3339ToNanos(utc), t, `format(${t}) = ${utc}`);
    assert.equal(parse(utc).nanos, t, utc);
    // The same instant written with an offset and 0-9 fraction digits.
    const offMin = Math.floor(r() * (23 * 60 + 59)) * (r() < 0.5 ? -1 : 1);
    const local = new Date(0);
    const digits = Math.floor(r() * 10);
    const sec = t / 1_000_000_000n - (t % 1_000_000_000n < 0n ? 1n : 0n);
    const frac = ((t % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
    const shifted = sec + BigInt(offMin * 60);
    const days = Number(shifted / 86400n - (shifted % 86400n < 0n ? 1n : 0n));
    const rem = Number(((shifted % 86400n) + 86400n) % 86400n);
    local.setTime(0); local.setUTCFullYear(1970, 0, 1 + days);
    if (local.getUTCFullYear() < 1 || local.getUTCFullYear() > 9999) continue;
    const p2 = (n: number) => String(n).padStart(2, "0");
    const fracText = digits ? "." + String(frac).padStart(9, "0").slice(0, digits) : "";
    const zone = offMin === 0 && r() < 0.5 ? (r() < 0.5 ? "Z" : "z") : `${offMin < 0 ? "-" : "+"}${p2(Math.floor(Math.abs(offMin) / 60))}:${p2(Math.abs(offMin) % 60)}`;
    const text = `${String(local.getUTCFullYear()).padStart(4, "0")}-${p2(local.getUTCMonth() + 1)}-${p2(local.getUTCDate())}T${p2(Math.floor(rem / 3600))}:${p2(Math.floor(rem / 60) % 60)}:${p2(rem % 60)}${fracText}${zone}`;
    const want = rfc3339ToNanos(text);
    assert.notEqual(want, undefined, text);
    assert.equal(parse(text).nanos, want, text);
  }
});

test("CRI headers: kubelet's split at the first spaces", () => {
  const cases: [string, string, string?, string?, string?][] = [
    // line, status, stream, tag, message
    ["2023-10-16T09:48:55.123456789Z stderr F message", "ok", "stderr", "F", "message"],
    ["2023-10-16T09:48:55.123456789Z stdout P part", "ok", "stdout", "P", "part"],
    ["2023-10-16T09:48:55.123456789Z stdout F ", "ok", "stdout", "F", ""],
    ["2023-10-16T09:48:55.123456789Z stdout F", "ok", "stdout", "F", ""],
    ["2023-10-16T09:48:55.123456789Z stdout F  two spaces", "ok", "stdout", "F", " two spaces"],
    // The tag field is a `:` list whose first element decides (the CRI API's LogTagDelimiter).
    ["2023-10-16T09:48:55.123456789Z stdout P:TAG1:TAG2 x", "ok", "stdout", "P", "x"],
    ["2023-10-16T09:48:55.123456789Z stdout X:P x", "ok", "stdout", "other", "x"],
    ["2023-10-16T09:48:55.123456789Z stdout F a stdout F b", "ok", "stdout", "F", "a stdout F b"],
    ["2023-10-16T09:48:55.123456789Z stdlog F x", "bad_stream"],
    ["2023-10-16T09:48:55.123456789Z stdout", "no_tag"],
    ["2023-10-16T09:48:55.123456789Z", "no_stream"],
    ["3242 stderr F message", "bad_time"],
  ];
  const STATUS = ["ok", "bad_time", "no_stream", "bad_stream", "no_tag"];
  for (const [line, status, stream, tag, message] of cases) {
    const [p, n] = core.put(line);
    assert.equal(STATUS[core.ex.parse_cri(p, n)], status, line);
    if (status !== "ok") continue;
    assert.equal(["", "stdout", "stderr"][core.ex.cri_stream()], stream, line);
    assert.equal(["", "P", "F", "other"][core.ex.cri_tag()], tag, line);
    assert.equal(Buffer.from(core.mem.subarray(core.ex.cri_message() >>> 0, p + n)).toString(), message, line);
  }
});

// build/match.wasm: keeps or drops records by the values of their members, as the `rules`
// setting says (harness/match-rules.ts has the grammar; README, "match"). On the SDK.
import { Kind, Record, Text, Value, Verdict, keptText, run, setting } from "./sdk";
import { isJsonNumber, parseNumber } from "./sdk/value";
import { MATCH_BLOCK, MATCH_BLOCK_SIZE } from "./match/block";
export { malloc, free } from "./sdk";

const enum Op { Eq, Ne, Prefix, Contains, Le, Ge, Lt, Gt, NotExists, Exists }

const MAX_RULES = 16;
const MAX_PATH = 4;
// Per rule: its path (Text addresses), path length, operator, value and the value as a number.
const PATHS: usize = memory.data(MAX_RULES * MAX_PATH * sizeof<usize>(), 8);
const PATH_LENGTHS: usize = memory.data(MAX_RULES * 4, 4);
const OPS: usize = memory.data(MAX_RULES * 4, 4);
const VALUES: usize = memory.data(MAX_RULES * sizeof<usize>(), 8);
const NUMBERS: usize = memory.data(MAX_RULES * 8, 8);

// @ts-ignore: decorator
@lazy let loaded = false;
// @ts-ignore: decorator
@lazy let ruleCount = 0;
/** action=drop: a record that matches is dropped; action=keep: only records that match are kept. */
// @ts-ignore: decorator
@lazy let dropMatching = true;
/** combine=any: one rule holding is a match; combine=all: every rule must hold. */
// @ts-ignore: decorator
@lazy let needAll = false;

function isSpace(c: u8): bool { return c == 0x20 || c == 0x09; }

/** The operator at [p, end), or -1. */
function opOf(t: Text): i32 {
  if (t.is("==")) return Op.Eq;
  if (t.is("!=")) return Op.Ne;
  if (t.is("^=")) return Op.Prefix;
  if (t.is("*=")) return Op.Contains;
  if (t.is("<=")) return Op.Le;
  if (t.is(">=")) return Op.Ge;
  if (t.is("<")) return Op.Lt;
  if (t.is(">")) return Op.Gt;
  if (t.is("!exists")) return Op.NotExists;
  if (t.is("exists")) return Op.Exists;
  return -1;
}

/** Reads one rule in [p, end) (trimmed); a rule it cannot read is left out (fbwasm configure refuses those). */
function addRule(p: usize, end: usize): void {
  while (p < end && isSpace(load<u8>(p))) p++;
  while (end > p && isSpace(load<u8>(end - 1))) end--;
  if (p >= end || ruleCount >= MAX_RULES) return;
  let sp = p;
  while (sp < end && load<u8>(sp) != 0x20) sp++;
  if (sp >= end) return;
  // The path: names between dots.
  let n = 0;
  let nameStart = p;
  for (let q = p; q <= sp; q++) {
    if (q == sp || load<u8>(q) == 0x2e) {
      if (q == nameStart || n >= MAX_PATH) return;
      store<usize>(PATHS + <usize>((ruleCount * MAX_PATH + n) * sizeof<usize>()), changetype<usize>(keptText(nameStart, q)));
      n++;
      nameStart = q + 1;
    }
  }
  let o = sp;
  while (o < end && isSpace(load<u8>(o))) o++;
  let oe = o;
  while (oe < end && load<u8>(oe) != 0x20) oe++;
  const opText = keptText(o, oe);
  const op = opOf(opText);
  if (op < 0) return;
  let v = oe;
  while (v < end && isSpace(load<u8>(v))) v++;
  const value = keptText(v, end);
  const numeric = isJsonNumber(v, end);
  if ((op == Op.Exists || op == Op.NotExists) != value.empty) return;
  if (op >= Op.Le && op <= Op.Gt && !numeric) return;
  if ((op == Op.Prefix || op == Op.Contains) && value.empty) return;
  store<i32>(PATH_LENGTHS + <usize>(ruleCount * 4), n);
  store<i32>(OPS + <usize>(ruleCount * 4), op);
  store<usize>(VALUES + <usize>(ruleCount * sizeof<usize>()), changetype<usize>(value));
  store<f64>(NUMBERS + <usize>(ruleCount * 8), numeric ? parseNumber(v, end) : NaN);
  ruleCount++;
}

function load_(): void {
  if (loaded) return;
  loaded = true;
  dropMatching = !setting(MATCH_BLOCK, MATCH_BLOCK_SIZE, "action").is("keep");
  needAll = setting(MATCH_BLOCK, MATCH_BLOCK_SIZE, "combine").is("all");
  const rules = setting(MATCH_BLOCK, MATCH_BLOCK_SIZE, "rules");
  let start = rules.start;
  for (let q = rules.start; q <= rules.end; q++) {
    if (q == rules.end || load<u8>(q) == 0x3b) { addRule(start, q); start = q + 1; }
  }
}

function equalsRuleValue(v: Value, value: Text, number: f64): bool {
  if (v.isString) return v.equalsText(value);
  if (v.isNumber) return !isNaN(number) && v.number() == number;
  if (v.kind() == Kind.Bool) return value.is(v.isTrue ? "true" : "false");
  return false;
}

function holds(r: Record, i: i32): bool {
  let v = r.body;
  const n = load<i32>(PATH_LENGTHS + <usize>(i * 4));
  for (let k = 0; k < n; k++) v = v.getText(changetype<Text>(load<usize>(PATHS + <usize>((i * MAX_PATH + k) * sizeof<usize>()))));
  const op = load<i32>(OPS + <usize>(i * 4));
  const value = changetype<Text>(load<usize>(VALUES + <usize>(i * sizeof<usize>())));
  const number = load<f64>(NUMBERS + <usize>(i * 8));
  // A member whose value is null counts as missing, as in Fluent Bit's Lua filter (its tables cannot hold nil).
  const present = v.exists && !v.isNull;
  switch (op) {
    case Op.Exists: return present;
    case Op.NotExists: return !present;
    case Op.Eq: return equalsRuleValue(v, value, number);
    case Op.Ne: return !equalsRuleValue(v, value, number);
    case Op.Prefix: return v.startsWithText(value);
    case Op.Contains: return v.containsText(value);
  }
  const x = v.isNumber ? v.number() : v.numberInString();
  if (isNaN(x)) return false;
  if (op == Op.Lt) return x < number;
  if (op == Op.Le) return x <= number;
  if (op == Op.Gt) return x > number;
  return x >= number;
}

function match(r: Record): Verdict {
  load_();
  if (ruleCount == 0) return Verdict.Keep;
  let matched = needAll;
  for (let i = 0; i < ruleCount; i++) {
    const h = holds(r, i);
    if (needAll && !h) { matched = false; break; }
    if (!needAll && h) { matched = true; break; }
  }
  return matched == dropMatching ? Verdict.Drop : Verdict.Keep;
}

/** Keeps or drops the record as the rules say; a kept record is returned as it came (mended into valid JSON). */
export function match_records(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(match, tag, tagLen, sec, nsec, record, recordLen);
}

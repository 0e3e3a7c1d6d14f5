// The record a filter function sees: its members to read (views, value.ts), its tag and event
// time, and the edits it asks for. Edits are only noted here; the runner (run.ts) applies them
// while it copies the record, so a filter never builds text itself.
import { Kind, Members, Value, members, view } from "./value";
import { Text, literalBytes, literalUtf8 } from "./text";

export const enum EditKind { None, Remove, Rename, SetString, SetValue, SetInt, SetNumber, SetBool, SetNull, SetRaw, SetTag }

/** The most edits one call keeps; more are ignored (and `Record.editsDropped` says how many). */
export const EDITS_PER_CALL: i32 = 64;

@unmanaged export class Edit {
  kind: EditKind = EditKind.None;
  name: string = "";
  /** The new name (Rename), the string (SetString) or the JSON text (SetRaw). */
  text: string = "";
  start: usize = 0;
  end: usize = 0;
  int: i64 = 0;
  num: f64 = 0;
  flag: bool = false;
  /** Set by the runner once the edit found its member. */
  applied: bool = false;

  init(name: string, kind: EditKind): Edit {
    this.kind = kind; this.name = name; this.text = ""; this.start = 0; this.end = 0;
    this.int = 0; this.num = 0; this.flag = false; this.applied = false;
    return this;
  }
}

/** What liftJson() asked for; the runner decodes and checks the text before it writes the record. */
@unmanaged export class Lift {
  start: usize = 0; // the string value, quotes included
  end: usize = 0;
  underStart: usize = 0;
  underEnd: usize = 0;
  keepSource: bool = true;
  afterCriHeader: bool = false;
}

/** What redact() asked for; the runner masks while it writes the record (core/mask.ts). */
@unmanaged export class Redaction {
  on: bool = false;
  namesStart: usize = 0;
  namesEnd: usize = 0;
  maskStart: usize = 0;
  maskEnd: usize = 0;
  secrets: u32 = 0;
}

const REDACTION = changetype<Redaction>(memory.data(<i32>offsetof<Redaction>(), 8));

const LIFT = changetype<Lift>(memory.data(<i32>offsetof<Lift>(), 8));

const EDIT_SIZE = offsetof<Edit>();
const EDITS: usize = memory.data(<i32>EDIT_SIZE * EDITS_PER_CALL, 8);

export function editAt(i: i32): Edit {
  return changetype<Edit>(EDITS + <usize>i * EDIT_SIZE);
}

@unmanaged export class Record {
  body: Value;
  tagStart: usize = 0;
  tagLength: i32 = 0;
  /** The event time Fluent Bit gave the record (a wasm filter cannot change it). */
  sec: u32 = 0;
  nsec: u32 = 0;
  editCount: i32 = 0;
  editsDropped: i32 = 0;
  /** The lift asked for (start 0: none). */
  lift: Lift;
  /** The masking asked for (on false: none). */
  redaction: Redaction;

  // Reading --------------------------------------------------------------------------------

  /** The top-level member `name`; a missing view when there is none. */
  get(name: string): Value { return this.body.get(name); }

  /** The value at a path of member names, e.g. path2("kubernetes", "namespace_name"). */
  path2(a: string, b: string): Value { return this.body.get(a).get(b); }
  path3(a: string, b: string, c: string): Value { return this.body.get(a).get(b).get(c); }

  has(name: string): bool { return this.body.get(name).exists; }

  /** Every top-level member in order: `const m = r.members(); while (m.next()) { m.key, m.value }`. */
  members(): Members { return members(this.body); }

  tagIs(s: string): bool { return tagRelates(this.tagStart, this.tagLength, s, 0); }
  tagStartsWith(s: string): bool { return tagRelates(this.tagStart, this.tagLength, s, 1); }
  tagContains(s: string): bool { return tagRelates(this.tagStart, this.tagLength, s, 2); }

  // Editing (applied in the copy the runner writes; the last edit of a member wins) ----------

  /** Removes every member named `name`. */
  remove(name: string): void { this.edit(name, EditKind.Remove); }
  /** Gives the member `name` the name `to` (its value unchanged). */
  rename(name: string, to: string): void { this.edit(name, EditKind.Rename).text = to; }
  setString(name: string, s: string): void { this.edit(name, EditKind.SetString).text = s; }
  setInt(name: string, v: i64): void { this.edit(name, EditKind.SetInt).int = v; }
  /** A double as JSON: integers exactly, others with 15 significant digits; NaN and infinities as null. */
  setNumber(name: string, v: f64): void { this.edit(name, EditKind.SetNumber).num = v; }
  setBool(name: string, v: bool): void { this.edit(name, EditKind.SetBool).flag = v; }
  setNull(name: string): void { this.edit(name, EditKind.SetNull); }
  /** Raw JSON text (mended as the record is: never an invalid result). */
  setRaw(name: string, json: string): void { this.edit(name, EditKind.SetRaw).text = json; }
  /** The record's tag as a string. */
  setTag(name: string): void { this.edit(name, EditKind.SetTag); }

  // Lifting: one JSON object inside a string (what the kubernetes filter's Merge_Log does) ------

  /**
   * When the text of the string `from` is one JSON object (after a CRI header, with
   * `afterCriHeader`), its members become members of the record (under `under` when that is not
   * empty); a name the record has already keeps the record's value. `keepSource` false removes
   * `from` once it was lifted; a text that is no JSON object leaves the record as it is.
   */
  liftJson(from: Value, under: Text, keepSource: bool, afterCriHeader: bool): void {
    if (!from.isString) return;
    this.lift.start = from.start;
    this.lift.end = from.end;
    this.lift.underStart = under.start;
    this.lift.underEnd = under.end;
    this.lift.keepSource = keepSource;
    this.lift.afterCriHeader = afterCriHeader;
  }
  // Redacting: masks written while the record is copied (core/secrets.ts says what is found) ---

  /**
   * In the record written, the value of every member (at any depth) whose name is one of the
   * comma-separated `names` (ASCII, any case) becomes the string `mask`, whatever it held; and in
   * every string value, the secrets of the kinds `secrets` (SecretKind bits: Bearer, Password,
   * Email, Card) are replaced by `mask`. Everything else is copied as it came.
   */
  redact(names: Text, mask: Text, secrets: u32): void {
    const m = this.redaction;
    m.on = true;
    m.namesStart = names.start; m.namesEnd = names.end;
    m.maskStart = mask.start; m.maskEnd = mask.end;
    m.secrets = secrets;
  }

  /** A copy of another value of this record (e.g. a nested member lifted to the top). */
  setValue(name: string, v: Value): void {
    if (!v.exists) { this.setNull(name); return; }
    const e = this.edit(name, EditKind.SetValue);
    e.start = v.start; e.end = v.end;
  }

  private edit(name: string, kind: EditKind): Edit {
    // The same member edited again: the new edit replaces the old one.
    for (let i = 0; i < this.editCount; i++) {
      const e = editAt(i);
      if (e.name == name) { e.kind = kind; return e; }
    }
    if (this.editCount >= EDITS_PER_CALL) { this.editsDropped++; return SPARE.init(name, kind); }
    const e = editAt(this.editCount++);
    return e.init(name, kind);
  }
}

/** The tag's bytes [tag, tag + len) against the literal s: equal (how 0), a prefix (1), inside (2). */
export function tagRelates(tag: usize, len: i32, s: string, how: i32): bool {
  const n = literalUtf8(s);
  if (n < 0) return false;
  const lit = literalBytes();
  if (how == 0) return len == n && memory.compare(tag, lit, <usize>n) == 0;
  if (how == 1) return len >= n && memory.compare(tag, lit, <usize>n) == 0;
  for (let i = 0; i + n <= len; i++) if (memory.compare(tag + <usize>i, lit, <usize>n) == 0) return true;
  return false;
}

// An edit past the limit is written here and never applied.
const SPARE = changetype<Edit>(memory.data(<i32>EDIT_SIZE, 8));

export const record = changetype<Record>(memory.data(<i32>offsetof<Record>(), 8));

/** A new call: the record's text, tag and time, no edits. */
export function beginRecord(rec: usize, recLen: i32, tag: usize, tagLen: i32, sec: u32, nsec: u32): Record {
  const r = record;
  r.body = view(rec, rec + <usize>recLen);
  r.tagStart = tag; r.tagLength = tagLen; r.sec = sec; r.nsec = nsec;
  r.editCount = 0; r.editsDropped = 0;
  r.lift = LIFT;
  r.redaction = REDACTION;
  REDACTION.on = false;
  LIFT.start = 0; LIFT.end = 0; LIFT.underStart = 0; LIFT.underEnd = 0; LIFT.keepSource = true; LIFT.afterCriHeader = false;
  return r;
}

export { Kind };

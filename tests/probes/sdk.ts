// Filters on the SDK that report what its views see and apply every kind of edit, for
// tests/sdk.test.ts (and, in real Fluent Bit, tests/real-sdk.test.ts).
import { CopiedRecord, Kind, Record, Verdict, passPlan, run, runPass, watch } from "../../assembly/sdk";
export { malloc, free } from "../../assembly/sdk";

/** What the views read, written back as members. */
function read(r: Record): Verdict {
  const log = r.get("log");
  r.setInt("log_kind", <i64>log.kind());
  r.setInt("log_length", log.length());
  r.setBool("log_has_healthz", log.contains("GET /healthz"));
  r.setBool("log_starts_get", log.startsWith("GET "));
  r.setBool("log_is_ok", log.equals("ok"));
  r.setBool("log_has_e_acute", log.contains("é"));
  r.setBool("log_has_newline", log.contains("\n"));
  r.setBool("log_has_smile", log.contains("😀"));
  r.setNumber("n_number", r.get("n").number());
  r.setBool("n_missing", !r.get("nope").exists);
  r.setBool("ns_is_kube_system", r.path2("kubernetes", "namespace_name").equals("kube-system"));
  r.setBool("label_app_web", r.path3("kubernetes", "labels", "app").equals("web"));
  r.setBool("second_item_is_b", r.get("items").at(1).equals("b"));
  r.setInt("items_length", r.get("items").length());
  r.setBool("flag_true", r.get("flag").isTrue);
  r.setBool("tag_is_kube", r.tagStartsWith("kube."));
  r.setInt("sec", <i64>r.sec);
  r.setInt("nsec", <i64>r.nsec);
  let count = 0, strings = 0;
  const m = r.members();
  while (m.next()) { count++; if (m.value.kind() == Kind.String) strings++; }
  r.setInt("members", count);
  r.setInt("string_members", strings);
  return Verdict.Keep;
}

/** Every kind of edit. */
function edit(r: Record): Verdict {
  r.remove("secret");
  r.rename("msg", "message");
  r.setString("quoted", "a \"b\" \\ c\n\t é 😀");
  r.setInt("int", -9007199254740993);
  r.setNumber("half", 1.5);
  r.setNumber("big", 1.25e300);
  r.setNumber("tiny", -3.5e-7);
  r.setNumber("nan", NaN);
  r.setBool("yes", true);
  r.setNull("nothing");
  r.setRaw("raw", "{\"a\":[1,2,{\"b\":null}]}");
  r.setRaw("broken_raw", "{\"a\":");
  r.setValue("pod", r.path2("kubernetes", "pod_name"));
  r.setValue("absent", r.get("not_there"));
  r.setTag("tag");
  r.setString("log", "replaced"); // an existing member takes the new value in its place
  r.setString("log", "replaced again"); // the last edit of a member wins
  return Verdict.Keep;
}

/** Drops the records whose `drop` is true, keeps the others as they came (mended). */
function dropFlagged(r: Record): Verdict {
  return r.get("drop").isTrue ? Verdict.Drop : Verdict.Keep;
}

/** Asks for far more views and edits than the pools hold: must neither trap nor lose the record. */
function greedy(r: Record): Verdict {
  let found = 0;
  for (let i = 0; i < 3000; i++) if (r.get("log").exists) found++;
  for (let i = 0; i < 100; i++) r.setInt(i & 1 ? "odd" : "even", i);
  for (let i = 0; i < 80; i++) { const m = r.members(); while (m.next()) found++; }
  r.setInt("found_some", found > 0 ? 1 : 0);
  return Verdict.Keep;
}

// One pass: health checks dropped, `level` renamed to `severity`, `secret` removed (its
// presence reported), the length of `log` added; `log` is read only when it is a string.
const LOG = watch("log");
const LEVEL = watch("level");
const SECRET = watch("secret");
const ONE_PASS = passPlan((1 << LOG) | (1 << LEVEL) | (1 << SECRET), (1 << LEVEL) | (1 << SECRET), 1 << LOG);

function onePass(r: CopiedRecord): Verdict {
  if (r.has(LOG) && r.watched(LOG).contains("GET /healthz")) return Verdict.Drop;
  if (r.has(LEVEL)) r.addValue("severity", r.watched(LEVEL));
  r.addBool("had_secret", r.has(SECRET));
  r.addInt("log_length", r.has(LOG) ? r.watched(LOG).length() : -1);
  if (r.tagStartsWith("kube.")) r.addString("kube", "yes \"é\"");
    return Verdict.Keep;
}

export function sdk_one_pass(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return runPass(onePass, ONE_PASS, tag, tagLen, sec, nsec, record, recordLen);
}

export function sdk_read(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(read, tag, tagLen, sec, nsec, record, recordLen);
}
export function sdk_edit(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(edit, tag, tagLen, sec, nsec, record, recordLen);
}
export function sdk_drop_flagged(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(dropFlagged, tag, tagLen, sec, nsec, record, recordLen);
}
export function sdk_greedy(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(greedy, tag, tagLen, sec, nsec, record, recordLen);
}

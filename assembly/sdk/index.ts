// The filter SDK: a filter is a function from a record to a verdict.
//
//   import { Record, Verdict, run } from "../../assembly/sdk";
//   export { malloc, free } from "../../assembly/sdk";
//
//   function dropHealthChecks(r: Record): Verdict {
//     return r.get("log").contains("GET /healthz") ? Verdict.Drop : Verdict.Keep;
//   }
//   export function drop_health_checks(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
//     return run(dropHealthChecks, tag, tagLen, sec, nsec, record, recordLen);
//   }
//
// The exported function is the one Fluent Bit calls (its Function_Name): its six arguments are
// Fluent Bit's and go to run() as they came. Everything else is views and edits:
//   r.get("log"), r.path2("kubernetes", "namespace_name"), v.equals / startsWith / contains,
//   v.number(), v.isString …, r.members(), r.tagStartsWith("kube."), r.sec / r.nsec;
//   r.setString / setInt / setNumber / setBool / setNull / setRaw / setValue, r.remove, r.rename.
// Nothing is allocated: views and edits live in fixed pools that every call starts afresh.
//
// A filter on every line's hot path can run on runPass() instead: the record is copied once, and
// the members under keys it watch()es are noted (and held out of the copy, where its plan says
// so) on the way; it reads them by slot and adds members at the end (tests/probes/sdk.ts,
// one_pass; the CRI filters are built this way).
export { Record, EDITS_PER_CALL } from "./record";
export { SecretKind } from "../core/secrets";
export { Kind, Members, VIEWS_PER_CALL, Value } from "./value";
export { Text } from "./text";
export { keptText, setting } from "./settings";
export { Filter, Verdict, run } from "./run";
// The one-pass runner (pass.ts), for filters on every line's hot path: members read by slot, added at the end.
export { CopiedRecord, PassFilter, Plan, passPlan, runPass } from "./pass";
export { NO_SLOT, WATCHED_MAX, watch } from "./watched";
export { malloc, free } from "../abi/exports";
import "../abi/abort"; // the abort asconfig.json names: the module imports nothing

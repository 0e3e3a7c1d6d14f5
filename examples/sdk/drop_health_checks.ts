import { Record, Verdict, run } from "../../assembly/sdk";
export { malloc, free } from "../../assembly/sdk";

function dropHealthChecks(r: Record): Verdict {
  return r.get("log").contains("GET /healthz") ? Verdict.Drop : Verdict.Keep;
}

export function drop_health_checks(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(dropHealthChecks, tag, tagLen, sec, nsec, record, recordLen);
}

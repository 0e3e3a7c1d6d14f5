/**
 * The rules of the `match` filter (`rules` setting), as `fbwasm configure` checks them; the
 * module (assembly/match.ts) and its Lua twin (lua/match.lua) read the same grammar:
 *
 *   rules   = rule *( ";" rule )               e.g. log *= GET /healthz; kubernetes.namespace_name == kube-system
 *   rule    = path " " op [ " " value ]        spaces around a rule and its value are not part of it
 *   path    = name *( "." name )               a member, or a member of a member (no '.' inside a name)
 *   op      = "==" / "!=" / "^=" / "*=" / "<" / "<=" / ">" / ">=" / "exists" / "!exists"
 *
 * `==` / `!=` compare a string's text, a number (when the value is a JSON number), `true` or
 * `false`; `^=` (starts with) and `*=` (contains) a string's text; `<` … `>=` a number, or a
 * string whose whole text is a JSON number (`"500"`), with a JSON number; `exists` / `!exists`
 * take no value. A missing member matches `!=` and `!exists` only; a member whose value is null
 * counts as missing (Fluent Bit's Lua filter cannot hold a nil in a table, and the twins agree).
 */
import { InputError } from "./input-error.ts";

export const OPS = ["==", "!=", "^=", "*=", "<=", ">=", "<", ">", "!exists", "exists"] as const;
export type Op = (typeof OPS)[number];
export interface Rule { path: string[]; op: Op; value: string }

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
export const MAX_RULES = 16;
export const MAX_PATH = 4;

export function parseRules(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(";")) {
    const r = raw.trim();
    if (!r) continue;
    const bad = (why: string) => new InputError(`setting rules: "${r}": ${why} (want PATH OP VALUE, e.g. "log *= GET /healthz")`);
    const sp = r.indexOf(" ");
    if (sp < 0) throw bad("no operator");
    const path = r.slice(0, sp).split(".");
    if (path.some((n) => n === "")) throw bad("an empty member name in the path");
    if (path.length > MAX_PATH) throw bad(`a path of more than ${MAX_PATH} names`);
    const rest = r.slice(sp + 1).trimStart();
    const opEnd = rest.indexOf(" ");
    const op = (opEnd < 0 ? rest : rest.slice(0, opEnd)) as Op;
    if (!OPS.includes(op)) throw bad(`unknown operator "${op}" (${OPS.join(" ")})`);
    const value = opEnd < 0 ? "" : rest.slice(opEnd + 1).trim();
    if ((op === "exists" || op === "!exists") && value) throw bad(`${op} takes no value`);
    if (op !== "exists" && op !== "!exists" && op !== "==" && op !== "!=" && !value) throw bad(`${op} needs a value`);
    if (["<", "<=", ">", ">="].includes(op) && !JSON_NUMBER.test(value)) throw bad(`${op} compares numbers: "${value}" is not one`);
    rules.push({ path, op, value });
  }
  if (rules.length > MAX_RULES) throw new InputError(`setting rules: ${rules.length} rules, the module holds ${MAX_RULES}`);
  return rules;
}

export function checkRules(text: string): void {
  parseRules(text);
}

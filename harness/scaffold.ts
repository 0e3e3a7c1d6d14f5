/**
 * `fbwasm new NAME`: a filter of one's own on the SDK (assembly/sdk/), with its test cases, in
 * `filters/NAME/` of a clone. `npm test` builds every folder there and checks its cases in the
 * harness on both measured Fluent Bit releases, and in real Fluent Bit where binaries are found
 * (tests/user-filters.test.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { InputError } from "./input-error.ts";
import { PACKAGE_ROOT } from "./package-root.ts";

/** The source of a new filter: the function Fluent Bit calls, and the one the author writes. */
export function filterSource(name: string, sdkImport: string): string {
  return `// ${name}: drops debug records and marks the others (replace with what yours does).
import { Record, Verdict, run } from "${sdkImport}";
export { malloc, free } from "${sdkImport}";

function ${camel(name)}(r: Record): Verdict {
  if (r.get("level").equals("debug")) return Verdict.Drop;
  r.setBool("checked", true);
  return Verdict.Keep;
}

// The function Fluent Bit calls (Function_Name ${name}): its arguments go to run() as they came.
export function ${name}(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(${camel(name)}, tag, tagLen, sec, nsec, record, recordLen);
}
`;
}

/** One case a line: the record in, the record out (null: dropped). */
export const CASES = [
  { in: { level: "debug", log: "cache miss" }, out: null },
  { in: { level: "info", log: "GET / 200" }, out: { level: "info", log: "GET / 200", checked: true } },
].map((c) => JSON.stringify(c)).join("\n") + "\n";

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function scaffold(name: string, parent = "filters"): string[] {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new InputError(`new ${name}: a filter's name is its Function_Name: lower case letters, digits and _, starting with a letter`);
  if (!existsSync(join(PACKAGE_ROOT, "assembly/sdk/index.ts"))) throw new InputError("new: the SDK's sources are in a clone of the toolkit (assembly/sdk/), not in the installed package: run it there");
  const dir = resolve(parent, name);
  // asconfig.json names the module's abort by its path in the clone: a filter compiles inside it.
  if (relative(PACKAGE_ROOT, dir).startsWith("..")) throw new InputError(`new ${name}: ${dir} is outside the clone (${PACKAGE_ROOT}); a filter is built inside it`);
  if (existsSync(dir)) throw new InputError(`new ${name}: ${dir} exists already`);
  mkdirSync(dir, { recursive: true });
  let sdk = relative(dir, join(PACKAGE_ROOT, "assembly/sdk")).replaceAll("\\", "/");
  if (!sdk.startsWith(".")) sdk = `./${sdk}`;
  const files = [join(dir, `${name}.ts`), join(dir, "cases.jsonl")];
  writeFileSync(files[0], filterSource(name, sdk));
  writeFileSync(files[1], CASES);
  return files;
}

#!/usr/bin/env node
// Entry point of the `fbwasm` command. In a clone it runs the TypeScript harness through tsx, so
// an edit is live; the installed package has no harness/*.ts and runs the JavaScript that
// `npm pack` compiled into dist/ (tsconfig.package.json), with no dependency at all.
import { existsSync } from "node:fs";

let main;
if (existsSync(new URL("../harness/cli.ts", import.meta.url))) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../harness/cli.ts"));
} else {
  ({ main } = await import("../dist/harness/cli.js"));
}
// `fbwasm run … | head`: the reader went away; that is not an error.
process.stdout.on("error", (e) => { if (e.code === "EPIPE") process.exit(process.exitCode ?? 0); else throw e; });
process.exitCode = main(process.argv.slice(2));

#!/usr/bin/env node
// Entry point of the `fbwasm` command: loads the TypeScript harness through tsx.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../harness/cli.ts");
// `fbwasm run … | head`: the reader went away; that is not an error.
process.stdout.on("error", (e) => { if (e.code === "EPIPE") process.exit(process.exitCode ?? 0); else throw e; });
process.exitCode = main(process.argv.slice(2));

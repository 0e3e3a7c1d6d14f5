#!/usr/bin/env node
// Entry point of the `fbwasm` command: loads the TypeScript harness through tsx.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../harness/cli.ts");
process.exitCode = main(process.argv.slice(2));

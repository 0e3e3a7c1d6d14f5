/**
 * npm run test:fluent-bit [-- --fluent-bit BIN [--fluent-bit BIN2 ...]]
 *
 * Runs the real-Fluent-Bit tests (tests/real-*.test.ts) against the binaries named, or, without
 * --fluent-bit, against those the FLUENT_BIT* variables or ../shared/fluent-bit/bin provide.
 * Each binary's version is read from the binary itself.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const args = process.argv.slice(2);
const bins: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--fluent-bit" && args[i + 1]) bins.push(args[++i]);
  else if (args[i].startsWith("--fluent-bit=")) bins.push(args[i].slice("--fluent-bit=".length));
  else if (args[i] === "--help" || args[i] === "-h") {
    console.log("usage: npm run test:fluent-bit [-- --fluent-bit /path/to/fluent-bit ...]\n\nRuns the filters, Lua twins and examples in the Fluent Bit binaries given (default: FLUENT_BIT, FLUENT_BIT_X_Y_Z, or ../shared/fluent-bit/bin).");
    process.exit(0);
  } else {
    console.error(`test:fluent-bit: unknown argument ${args[i]} (want --fluent-bit BIN)`);
    process.exit(2);
  }
}
for (const b of bins) if (!existsSync(b)) { console.error(`test:fluent-bit: no such file: ${b}`); process.exit(2); }
const env = { ...process.env, ...(bins.length ? { FBWASM_FLUENT_BIT: bins.join(",") } : {}) };
const files = readdirSync("tests").filter((f) => /^real-.*\.test\.ts$/.test(f)).map((f) => `tests/${f}`);
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], { stdio: "inherit", env });
process.exit(r.status ?? 1);

/**
 * The package as a user gets it: `npm pack` (which compiles the harness into dist/), the tarball
 * installed into an empty prefix with no network and nothing from this clone, and its `fbwasm`
 * run from another folder on a recording and on a container log file. The output must be the
 * clone's own, byte for byte.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const REC = join(ROOT, "tests/golden/original-report/seed-custom-multiline.v2.1.8.msgpack");
const LOG_DIR = join(ROOT, "tests/recordings/seed-custom-multiline/input/var/log/containers");
const LOG = join(LOG_DIR, readdirSync(LOG_DIR).find((f) => f.endsWith(".log"))!);
const work = mkdtempSync(join(tmpdir(), "fbwasm-package-"));
const prefix = join(work, "prefix");
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
const installed = join(prefix, "lib/node_modules", PKG.name);

/**
 * The npm that runs this test (npm_execpath under `npm test`): inside an npm script, PATH starts
 * with node_modules/.bin, where a devDependency's own npm 6 lies (as-pect brings it).
 */
function npm(args: string[], cwd: string) {
  const [cmd, pre] = process.env.npm_execpath?.endsWith("npm-cli.js") ? [process.execPath, [process.env.npm_execpath]] : ["npm", []];
  const r = spawnSync(cmd, [...pre, ...args], { cwd, encoding: "utf8", env: { ...process.env, NODE_PATH: "" } });
  assert.equal(r.status, 0, `npm ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

test("npm pack, then npm install of the tarball into an empty prefix, offline", () => {
  npm(["pack", "--pack-destination", work, "--silent"], ROOT);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  assert.equal(tarball, `${PKG.name}-${PKG.version}.tgz`);
  npm(["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", join(work, tarball!)], work);
  // Nothing but the package itself: the bin must not need tsx or any other dependency.
  assert.deepEqual(readdirSync(join(prefix, "lib/node_modules")), [PKG.name]);
  assert.ok(!existsSync(join(installed, "node_modules")), "the package installed dependencies");
  for (const f of ["LICENSE", "CHANGELOG.md", "README.md", "build/manifest.json", "build/cri_time.wasm", "build/aot/cri_time-format5-x86_64.aot", "lua/cri_time.lua", "examples/eks-opensearch/fluent-bit.conf", "dist/harness/cli.js"]) {
    assert.ok(existsSync(join(installed, f)), `the package lacks ${f}`);
  }
  assert.ok(!existsSync(join(installed, "harness")), "the package carries the TypeScript sources");
  assert.equal(JSON.parse(readFileSync(join(installed, "build/manifest.json"), "utf8")).version, PKG.version);
});

const clone = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin/fbwasm.mjs"), ...args], { cwd: ROOT, encoding: "utf8" });
const fromPackage = (...args: string[]) => spawnSync(join(prefix, "bin/fbwasm"), args, { cwd: work, encoding: "utf8", env: { ...process.env, NODE_PATH: "" } });

test("the installed fbwasm: --version, --help, and run gives the clone's output byte for byte", () => {
  assert.equal(fromPackage("--version").stdout.trim(), PKG.version);
  assert.match(fromPackage("run", "--help").stdout, /usage: fbwasm run/);
  const wasm = join(installed, "build/cri_time.wasm");
  for (const events of [REC, LOG]) {
    const args = ["run", "--wasm", wasm, "--function", "cri_timestamp", "--fluent-bit", "2.1.8", "--event-time", "1700000000.000000000", events];
    if (events === REC) args.splice(args.indexOf("--event-time"), 2);
    const got = fromPackage(...args);
    assert.equal(got.status, 0, got.stderr);
    const want = clone(...args.map((a) => (a === wasm ? join(ROOT, "build/cri_time.wasm") : a)));
    assert.equal(want.status, 0, want.stderr);
    assert.ok(got.stdout.length > 1000);
    assert.equal(got.stdout, want.stdout);
    assert.equal(got.stderr, want.stderr);
  }
  // The manifest check that refuses msgpack for a JSON-only module reads the package's own manifest.
  const r = fromPackage("run", "--wasm", wasm, "--function", "cri_timestamp", "--event-format", "msgpack", REC);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /supports event_format json only/);
});

test("the newcomer's path with the installed fbwasm: a container log file drawn as a page, then kept as a golden folder", () => {
  const wasm = join(installed, "build/cri_time.wasm");
  const page = join(work, "before-after.html");
  const r = fromPackage("report", "--wasm", wasm, "--function", "cri_timestamp", "--event-time", "stuck", "--out", page, LOG);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(page, "utf8"), /<dd data-key="records">\d+<\/dd>/);
  const made = fromPackage("make-golden", "my-cluster", "--wasm", wasm, "--function", "cri_timestamp", LOG);
  assert.equal(made.status, 0, made.stderr);
  const golden = fromPackage("golden", "my-cluster");
  assert.equal(golden.status, 0, golden.stdout);
  assert.match(golden.stdout, /^same /m);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

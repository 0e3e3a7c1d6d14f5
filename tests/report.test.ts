/**
 * `fbwasm report` on the original report's recording (Fluent Bit 2.1.8 stamped 32 of 58 records
 * with one time): the page is self-contained, its figures are those of the recording, and
 * headless Chromium (Debian's `chromium`) draws it: a screenshot shows Fluent Bit's times as a
 * flat red line and the written times as a rising blue one. Without Chromium the drawing test is
 * skipped, unless FBWASM_REQUIRE_CHROMIUM=1 (CI) makes that a failure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMsgpackStream } from "../harness/events.ts";
import { readPng } from "./helpers/png.ts";

const REC = "tests/golden/original-report/seed-custom-multiline.v2.1.8.msgpack";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const tmp = mkdtempSync(join(tmpdir(), "fbwasm-report-"));
const fbwasm = (...args: string[]) => spawnSync(process.execPath, ["bin/fbwasm.mjs", ...args], { encoding: "utf8" });

function report(name: string, ...args: string[]): string {
  const out = join(tmp, `${name}.html`);
  const r = fbwasm("report", "--wasm", "build/cri_time.wasm", "--fluent-bit", "2.1.8", "--out", out, ...args, REC);
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out, "utf8");
}
const fact = (html: string, key: string) => Number(new RegExp(`<dd data-key="${key}">(\\d+)</dd>`).exec(html)?.[1]);
const points = (html: string, cls: string) => new RegExp(`<polyline class="${cls}"[^>]* points="([^"]*)"`).exec(html)![1].split(" ").map((p) => p.split(",").map(Number));

test("report: the recording's figures, one self-contained page", () => {
  const html = report("timestamp", "--function", "cri_timestamp");
  const recorded = readMsgpackStream(readFileSync(REC), "t");
  const perTime = new Map<string, number>();
  for (const e of recorded) perTime.set(`${e.sec}.${e.nsec}`, (perTime.get(`${e.sec}.${e.nsec}`) ?? 0) + 1);
  assert.equal(fact(html, "records"), recorded.length);
  assert.equal(fact(html, "sharedTime"), Math.max(...perTime.values()), "the stuck time, counted from the recording");
  assert.equal(fact(html, "sharedTime"), 32);
  assert.equal(fact(html, "fixed"), 58);
  assert.equal(fact(html, "flagged"), 4, "as npm run demo flags them");
  assert.equal((html.match(/<tr><td>\d+<\/td>/g) ?? []).length, 4, "one row per flagged record");
  // Fluent Bit's times take as few heights as there are distinct times; the written ones rise.
  assert.equal(new Set(points(html, "before").map(([, y]) => y)).size, perTime.size);
  assert.ok(new Set(points(html, "after").map(([, y]) => y)).size > 50);
  assert.doesNotMatch(html, /<script|\bsrc=|\bhref=|url\(|https?:/, "nothing loaded from elsewhere");
  // cri_event_time without its parser stage: nothing moves, and the page shows it.
  const unstaged = report("event-time", "--function", "cri_event_time");
  assert.equal(fact(unstaged, "fixed"), 0);
  const staged = report("event-time-then", "--function", "cri_event_time", "--then", "parser:_event_time");
  assert.equal(fact(staged, "fixed"), 58);
});

test("report: --out must name an .html page; run's printing options are not report's", () => {
  assert.match(fbwasm("report", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--out", join(tmp, "x.jsonl"), REC).stderr, /--out FILE\.html/);
  assert.match(fbwasm("report", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--es", "--out", join(tmp, "x.html"), REC).stderr, /Unknown option '--es'/);
  assert.match(fbwasm("run", "--wasm", "build/cri_time.wasm", "--function", "cri_timestamp", "--out", join(tmp, "x.html"), REC).stderr, /name it \.jsonl .* or \.msgpack/);
});

const required = process.env.FBWASM_REQUIRE_CHROMIUM === "1";
test("report: headless Chromium draws Fluent Bit's stuck times flat and the written times rising", { skip: !existsSync(CHROMIUM) && !required && `no ${CHROMIUM} (apt-get install chromium)` }, () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is required (FBWASM_REQUIRE_CHROMIUM=1)`);
  report("draw", "--function", "cri_timestamp");
  const png = join(tmp, "draw.png");
  // The flags keep Chromium from reaching for the network it does not have, and from needing a sandbox as root.
  const r = spawnSync(CHROMIUM, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", `--user-data-dir=${join(tmp, "profile")}`, "--hide-scrollbars",
    "--window-size=1150,1000", `--screenshot=${png}`, `file://${join(tmp, "draw.html")}`,
  ], { encoding: "utf8", timeout: 120_000 });
  assert.ok(existsSync(png), `no screenshot: ${r.stderr}`);
  const img = readPng(readFileSync(png));
  const near = ([r1, g1, b1]: number[], [r2, g2, b2]: number[]) => Math.abs(r1 - r2) + Math.abs(g1 - g2) + Math.abs(b1 - b2) < 60;
  const RED = [0xc0, 0x39, 0x2b], BLUE = [0x24, 0x71, 0xa3];
  // Inside the chart (right of the axis labels, below the legend), per colour: how many pixels, on how many rows.
  const rows = { red: new Map<number, number>(), blue: new Map<number, number>() };
  for (let y = 300; y < 700; y++) for (let x = 200; x < 1100; x++) {
    const c = img.rgb(x, y);
    if (near(c, RED)) rows.red.set(y, (rows.red.get(y) ?? 0) + 1);
    if (near(c, BLUE)) rows.blue.set(y, (rows.blue.get(y) ?? 0) + 1);
  }
  const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  assert.ok(total(rows.red) > 500 && total(rows.blue) > 500, `both lines drawn: red ${total(rows.red)}, blue ${total(rows.blue)} pixels`);
  // Flat: most red pixels lie on a few rows (the two stuck times); the rising blue line spreads over many.
  const top = (m: Map<number, number>, n: number) => [...m.values()].sort((a, b) => b - a).slice(0, n).reduce((a, b) => a + b, 0);
  assert.ok(top(rows.red, 6) / total(rows.red) > 0.8, `red on few rows: ${top(rows.red, 6)} of ${total(rows.red)}`);
  assert.ok(rows.blue.size > 150, `blue over many rows: ${rows.blue.size}`);
});

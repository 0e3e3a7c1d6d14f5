/**
 * `fbwasm report`: one self-contained HTML page (no script, no external file) for a run, to see
 * what the filter did to the times an output indexes:
 *   - per record, the time an output would index WITHOUT the filter (Fluent Bit's event time:
 *     a flat line where Fluent Bit stamped one stuck time) and WITH it (the `@timestamp` the
 *     filter wrote, or the event time after the `--then` stage);
 *   - how far apart the two are (the drift), as a distribution;
 *   - the records the filter flagged, with their diagnostics.
 * The page is built while the run streams: two numbers per record and the first flagged ones
 * are kept, and the chart is drawn from at most CHART_POINTS columns (each column's least and
 * greatest time), so a million records make a page of the same size as a thousand.
 */
import { FbEvent, formatTs } from "./events.ts";
import { MpValue, asText, decode, toView } from "./msgpack.ts";
import { esTimestamp, rfc3339ToNanos } from "./stages.ts";

const CHART_POINTS = 1200;
const FLAGGED_KEPT = 500;

/** A diagnostics object's findings: every member but the measurements every record carries. */
export function diagnosticNotes(check: Record<string, unknown>): string[] {
  return Object.entries(check).filter(([k]) => k !== "drift_ms" && k !== "lines" && k !== "bytes").map(([k, v]) => (v === true ? k : `${k}=${JSON.stringify(v)}`));
}

export interface ReportContext { title: string; wasm: string; functionName: string; fluentBit: string; events: string; then?: string; checkKey: string }

interface Flagged { i: number; before: string; after: string; notes: string[]; log: string }

const ns = (sec: number, nsec: number) => BigInt(sec) * 1_000_000_000n + BigInt(nsec);
const isoOf = (t: bigint) => {
  const sec = t / 1_000_000_000n, frac = t % 1_000_000_000n;
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${String(frac).padStart(9, "0")}Z`;
};

/** Drift buckets in ms, by the magnitude of (without filter - with filter). */
const BUCKETS: [string, number, number][] = [
  ["< -10 s", -Infinity, -10_000], ["-10 s .. -1 s", -10_000, -1000], ["-1 s .. -100 ms", -1000, -100], ["-100 .. -10 ms", -100, -10], ["-10 .. -1 ms", -10, -1],
  ["within 1 ms", -1, 1], ["1 .. 10 ms", 1, 10], ["10 .. 100 ms", 10, 100], ["100 ms .. 1 s", 100, 1000], ["1 s .. 10 s", 1000, 10_000], ["> 10 s", 10_000, Infinity],
];

export class RunReport {
  private before = new BigInt64Array(1024);
  private after = new BigInt64Array(1024);
  private n = 0;
  private readonly flagged: Flagged[] = [];
  private flaggedCount = 0;
  private fixed = 0;
  private dropped = 0;
  private readonly buckets = BUCKETS.map(() => 0);

  constructor(private readonly ctx: ReportContext) {}

  /** One record as it leaves the filter (and the `then` stage): its event time is Fluent Bit's, untouched by filter_wasm. */
  add(filtered: FbEvent, final: FbEvent): void {
    if (this.n === this.before.length) {
      const grow = (a: BigInt64Array) => { const b = new BigInt64Array(a.length * 2); b.set(a); return b; };
      [this.before, this.after] = [grow(this.before), grow(this.after)];
    }
    const before = ns(filtered.sec, filtered.nsec);
    const indexed = esTimestamp(final, { timeKeyNanos: true });
    const after = rfc3339ToNanos(indexed) ?? ns(final.sec, final.nsec);
    this.before[this.n] = before;
    this.after[this.n] = after;
    const driftMs = Number(before - after) / 1e6;
    if (Math.abs(driftMs) >= 1) this.fixed++;
    this.buckets[BUCKETS.findIndex(([, lo, hi]) => driftMs >= lo && driftMs < hi)]++;
    const body = decode(final.body);
    const check = body.t === "map" ? body.entries.find(([k]) => asText(k) === this.ctx.checkKey)?.[1] : undefined;
    if (check?.t === "map") {
      const notes = diagnosticNotes(toView(check) as Record<string, unknown>);
      if (notes.length) {
        this.flaggedCount++;
        if (this.flagged.length < FLAGGED_KEPT) this.flagged.push({ i: this.n, before: formatTs(filtered.sec, filtered.nsec), after: indexed, notes, log: logText(body) });
      }
    }
    this.n++;
  }

  addDropped(n: number): void { this.dropped += n; }

  html(): string {
    const c = this.ctx;
    const shared = longestRun(this.before.slice(0, this.n).sort());
    const facts: [string, string, string][] = [
      ["records", "records", String(this.n)],
      ["dropped", "dropped by the module", String(this.dropped)],
      ["sharedTime", "most records sharing one Fluent Bit time", String(shared)],
      ["fixed", "records whose indexed time moved by 1 ms or more", String(this.fixed)],
      ["flagged", "records flagged", String(this.flaggedCount)],
    ];
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(c.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{color:#555}dd{margin:0;font-weight:600}
.before{stroke:#c0392b;fill:none}.after{stroke:#2471a3;fill:none}.key span{display:inline-block;width:14px;height:3px;vertical-align:middle;margin:0 4px 0 12px}
table{border-collapse:collapse;font-size:12px}td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
.bar{background:#2471a3;height:12px}code{font-size:12px}
</style></head><body>
<h1>${esc(c.title)}</h1>
<p><code>${esc(c.wasm)}</code> function <code>${esc(c.functionName)}</code>${c.then ? `, then <code>${esc(c.then)}</code>` : ""}, as Fluent Bit ${esc(c.fluentBit)}, over <code>${esc(c.events)}</code></p>
<dl id="summary">${facts.map(([k, label, v]) => `<dt>${esc(label)}</dt><dd data-key="${k}">${v}</dd>`).join("")}</dl>
<h2>The time an output indexes, per record</h2>
<p class="key"><span style="background:#c0392b"></span>without the filter: Fluent Bit's event time<span style="background:#2471a3"></span>with the filter: ${c.then ? "the event time after the stage" : "<code>@timestamp</code> as written, else the event time"}</p>
${this.chart()}
<h2>Drift: without the filter minus with it</h2>
${this.histogram()}
<h2>Flagged records${this.flaggedCount > this.flagged.length ? ` (the first ${this.flagged.length} of ${this.flaggedCount})` : ""}</h2>
${this.flaggedTable()}
</body></html>
`;
  }

  private chart(): string {
    if (!this.n) return `<p id="times">No records.</p>`;
    const W = 1000, H = 320, L = 130, B = 30;
    let lo = this.before[0], hi = this.before[0];
    for (let i = 0; i < this.n; i++) for (const t of [this.before[i], this.after[i]]) { if (t < lo) lo = t; if (t > hi) hi = t; }
    const span = hi > lo ? hi - lo : 1n;
    const y = (t: bigint) => (H - B - Number(((t - lo) * 10_000n) / span) / 10_000 * (H - B - 10)).toFixed(1);
    const cols = Math.min(this.n, CHART_POINTS);
    const line = (series: BigInt64Array) => {
      const pts: string[] = [];
      for (let c = 0; c < cols; c++) {
        const from = Math.floor((c * this.n) / cols), to = Math.max(from + 1, Math.floor(((c + 1) * this.n) / cols));
        let a = series[from], b = series[from];
        for (let i = from; i < to; i++) { if (series[i] < a) a = series[i]; if (series[i] > b) b = series[i]; }
        const x = (L + (cols === 1 ? 0 : (c / (cols - 1)) * (W - L - 10))).toFixed(1);
        pts.push(`${x},${y(a)}`);
        if (b !== a) pts.push(`${x},${y(b)}`);
      }
      return pts.join(" ");
    };
    const ticks = [0n, 1n, 2n, 3n, 4n].map((k) => lo + (span * k) / 4n);
    return `<svg id="times" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="indexed time per record, without and with the filter">
<g font-size="11" fill="#555">${ticks.map((t) => `<text x="${L - 6}" y="${y(t)}" text-anchor="end" dominant-baseline="middle">${isoOf(t).slice(11, 23)}</text><line x1="${L}" x2="${W - 10}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>`).join("")}
<text x="${L}" y="${H - 8}">record 0</text><text x="${W - 10}" y="${H - 8}" text-anchor="end">record ${this.n - 1}</text></g>
<polyline class="before" stroke-width="2" points="${line(this.before)}"/>
<polyline class="after" stroke-width="1.5" points="${line(this.after)}"/>
</svg>`;
  }

  private histogram(): string {
    const max = Math.max(1, ...this.buckets);
    return `<table id="drift"><tr><th>drift</th><th>records</th><th></th></tr>${BUCKETS.map(([label], i) => `<tr><td>${esc(label)}</td><td data-bucket="${esc(label)}">${this.buckets[i]}</td><td><div class="bar" style="width:${Math.round((this.buckets[i] / max) * 600)}px"></div></td></tr>`).join("")}</table>`;
  }

  private flaggedTable(): string {
    if (!this.flagged.length) return `<p id="flagged">None.</p>`;
    return `<table id="flagged"><tr><th>#</th><th>Fluent Bit time</th><th>indexed time</th><th>diagnostics</th><th>log</th></tr>${this.flagged.map((f) => `<tr><td>${f.i}</td><td>${f.before}</td><td>${esc(f.after)}</td><td>${f.notes.map(esc).join("<br>")}</td><td><code>${esc(f.log)}</code></td></tr>`).join("")}</table>`;
  }
}

/** The most equal values in a sorted array. */
function longestRun(sorted: BigInt64Array): number {
  let best = 0;
  for (let i = 0, run = 0; i < sorted.length; i++) { run = i && sorted[i] === sorted[i - 1] ? run + 1 : 1; if (run > best) best = run; }
  return best;
}

function logText(body: MpValue): string {
  const log = body.t === "map" ? body.entries.find(([k]) => asText(k) === "log")?.[1] : undefined;
  const text = log ? asText(log) ?? "" : "";
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);
}

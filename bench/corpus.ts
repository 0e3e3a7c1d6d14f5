/**
 * A deterministic CRI corpus for benchmarks: ~150-byte lines, 2% long partial lines (a 16 KiB
 * `P` piece), 1% Python tracebacks glued onto their logging line, as the records Fluent Bit
 * hands a JSON-mode filter: raw lines in `log` (custom multiline parser) or split by the `cri`
 * parser (`time`, `stream`, `_p`, `log`).
 */
import { rng } from "../harness/random.ts";

const WORDS = ["orders", "cart", "invoice", "latency", "retry", "shipment", "customer", "status", "tax", "total", "sku", "region"];

function criTime(ms: number, nanos: number): string {
  return new Date(ms).toISOString().slice(0, 19) + "." + String(nanos).padStart(9, "0") + "Z";
}

/** JSON texts as Fluent Bit (v5, json.escape_unicode on) writes them for the filter. */
export function corpus(lines: number, shape: "raw" | "parsed", seed = 1): string[] {
  const r = rng(seed);
  const out: string[] = [];
  let t = Date.UTC(2026, 10, 23, 6, 30, 0);
  for (let i = 0; i < lines; i++) {
    t += Math.floor(r() * 50);
    const time = criTime(t, Math.floor(r() * 1e9));
    const stream = r() < 0.3 ? "stderr" : "stdout";
    const roll = r();
    let tag = "F";
    let msg: string;
    if (roll < 0.02) {
      tag = "P";
      msg = "x".repeat(16384);
    } else {
      msg = `[2026-11-23 06:30:${String(i % 60).padStart(2, "0")}] INFO in orders.views: GET /api/orders/${Math.floor(r() * 1e5)} 200 ` +
        Array.from({ length: 6 }, () => WORDS[Math.floor(r() * WORDS.length)]).join(" ") + ` req=${Math.floor(r() * 1e10).toString(16)}`;
    }
    if (roll >= 0.02 && roll < 0.03) {
      const frames = ["Traceback (most recent call last):", '  File "/app/orders/views.py", line 1278, in get_order', "    total = order.amount / order.quantity", "ZeroDivisionError: division by zero"];
      msg = [msg, ...frames.map((f) => (shape === "raw" ? `${time} ${stream} F ${f}` : f))].join("\n");
    }
    const json = (s: string) => JSON.stringify(s);
    out.push(shape === "raw"
      ? `{"log":${json(`${time} ${stream} ${tag} ${msg}\n`)}}`
      : `{"time":${json(time)},"stream":${json(stream)},"_p":${json(tag)},"log":${json(msg)}}`);
  }
  return out;
}

/**
 * Which written lines an index holds, and how often: each document's `@timestamp` names the line
 * that starts it (times are unique, kubelet-log.ts), and its `log` text then covers that line and
 * the container's following ones it is made of (P pieces joined as they are, other lines joined
 * with a line break, as Fluent Bit's cri and multiline parsers join them).
 */
import { rfc3339ToNanos } from "../stages.ts";
import { WrittenLine } from "./kubelet-log.ts";

export interface Coverage {
  /** Lines no document holds. */
  lost: WrittenLine[];
  /** Lines more than one document holds. */
  duplicated: WrittenLine[];
  /** Documents whose time or text is not that of written lines, with why. */
  unmatched: string[];
}

export function indexCoverage(lines: WrittenLine[], docs: Record<string, unknown>[]): Coverage {
  const byTime = new Map<bigint, number>();
  lines.forEach((l, i) => byTime.set(l.nanos, i));
  // The container's lines in order, and where each line sits in that order.
  const perContainer = new Map<number, number[]>();
  const position: number[] = [];
  lines.forEach((l, i) => {
    const list = perContainer.get(l.container) ?? [];
    position[i] = list.length;
    list.push(i);
    perContainer.set(l.container, list);
  });
  const count = new Array<number>(lines.length).fill(0);
  const unmatched: string[] = [];
  for (const doc of docs) {
    const log = doc.log, ts = doc["@timestamp"];
    const nanos = typeof ts === "string" ? rfc3339ToNanos(ts) : undefined;
    const start = nanos === undefined ? undefined : byTime.get(nanos);
    if (typeof log !== "string" || start === undefined) {
      unmatched.push(`no line was written at ${String(ts)}: ${JSON.stringify(doc).slice(0, 200)}`);
      continue;
    }
    const order = perContainer.get(lines[start].container)!;
    let text = "", covered: number[] = [];
    for (let k = position[start]; k < order.length; k++) {
      const line = lines[order[k]];
      text += line.text;
      covered.push(order[k]);
      if (text === log) break;
      if (!line.partial) text += "\n";
      if (!log.startsWith(text)) { covered = []; break; }
    }
    if (!covered.length || text !== log) { unmatched.push(`the text is not the lines written from ${ts} on: ${JSON.stringify(log).slice(0, 200)}`); continue; }
    for (const i of covered) count[i]++;
  }
  return {
    lost: lines.filter((_, i) => count[i] === 0),
    duplicated: lines.filter((_, i) => count[i] > 1),
    unmatched,
  };
}

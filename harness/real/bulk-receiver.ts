/**
 * A local stand-in for OpenSearch/Elasticsearch that keeps what Fluent Bit's es and opensearch
 * outputs send: `POST …/_bulk` with NDJSON action and document lines. Documents are read as
 * strictly as OpenSearch reads them: text that is not JSON, or an object with a duplicate key, is
 * refused with a per-item error (status 400) and `errors: true`, as OpenSearch answers. AWS SigV4
 * headers are accepted (not verified: the credentials are dummies). Other requests get `{}`.
 *
 * Documents are indexed by `_index` and `_id` as OpenSearch indexes them: without an `_id` each
 * is a new document; `create` (what the es and opensearch outputs send unless `Write_Operation`
 * says otherwise) of an `_id` the index holds is refused with 409 and the first document kept;
 * `index` replaces it.
 */
import { IncomingMessage, Server, ServerResponse, createServer } from "node:http";

export interface BulkDoc { index: string; id?: string; doc: Record<string, unknown>; signed: boolean }
export interface Rejected { line: string; reason: string }

export class DuplicateKeyError extends Error {}

/** JSON.parse, and an error for an object that holds the same key twice (OpenSearch refuses those). */
export function parseStrictJson(text: string): unknown {
  const value = JSON.parse(text);
  let i = 0;
  const ws = () => { while (i < text.length && " \t\r\n".includes(text[i])) i++; };
  const str = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const walk = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const keys = new Set<string>();
      ws();
      if (text[i] === "}") { i++; return; }
      for (;;) {
        ws();
        const k = str();
        if (keys.has(k)) throw new DuplicateKeyError(`duplicate field [${k}]`);
        keys.add(k);
        ws(); i++; // ':'
        walk();
        ws();
        if (text[i++] === "}") return; // else ','
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") { i++; return; }
      for (;;) { walk(); ws(); if (text[i++] === "]") return; }
    } else if (c === '"') str();
    else while (i < text.length && !",]} \t\r\n".includes(text[i])) i++;
  };
  walk();
  return value;
}

export class BulkReceiver {
  /** Every document accepted, in order (a 409 is not accepted). */
  readonly docs: BulkDoc[] = [];
  /** `create` requests refused because the `_id` was taken. */
  conflicts = 0;
  private readonly byId = new Map<string, number>();
  readonly rejected: Rejected[] = [];
  requests = 0;
  /** Every request body, as received. */
  readonly bodies: string[] = [];
  private server?: Server;
  port = 0;

  async start(): Promise<number> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((ok) => this.server!.listen(0, "127.0.0.1", ok));
    this.port = (this.server!.address() as { port: number }).port;
    return this.port;
  }

  /** Forgets every document, as a new index. */
  clear(): void {
    this.docs.length = 0;
    this.rejected.length = 0;
    this.byId.clear();
    this.conflicts = 0;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((ok) => this.server!.close(() => ok()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      this.requests++;
      const body = Buffer.concat(chunks).toString("utf8");
      this.bodies.push(body);
      res.setHeader("content-type", "application/json");
      if (req.method !== "POST" || !/\/_bulk(\?|$)/.test(req.url ?? "")) { res.end("{}"); return; }
      const signed = /^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization ?? ""));
      const lines = body.split("\n").filter((l) => l.length > 0);
      const items: unknown[] = [];
      let errors = false;
      for (let k = 0; k + 1 < lines.length; k += 2) {
        let action: Record<string, { _index?: string; _id?: string }>;
        try { action = JSON.parse(lines[k]); } catch { errors = true; items.push({ index: { status: 400, error: { type: "parse_exception" } } }); continue; }
        const op = Object.keys(action)[0];
        const meta = action[op] ?? {};
        try {
          const doc = parseStrictJson(lines[k + 1]) as Record<string, unknown>;
          const entry = { index: meta._index ?? "", id: meta._id, doc, signed };
          const key = meta._id === undefined ? undefined : `${entry.index}\n${meta._id}`;
          const held = key === undefined ? undefined : this.byId.get(key);
          if (held !== undefined && op === "create") {
            this.conflicts++;
            errors = true;
            items.push({ create: { _index: meta._index, _id: meta._id, status: 409, error: { type: "version_conflict_engine_exception", reason: `[${meta._id}]: version conflict, document already exists` } } });
            continue;
          }
          if (held !== undefined) this.docs[held] = entry;
          else {
            if (key !== undefined) this.byId.set(key, this.docs.length);
            this.docs.push(entry);
          }
          items.push({ [op]: { _index: meta._index, _id: meta._id, status: held === undefined ? 201 : 200, result: held === undefined ? "created" : "updated" } });
        } catch (e) {
          errors = true;
          this.rejected.push({ line: lines[k + 1], reason: (e as Error).message });
          items.push({ [op]: { _index: meta._index, status: 400, error: { type: e instanceof DuplicateKeyError ? "x_content_parse_exception" : "mapper_parsing_exception", reason: (e as Error).message } } });
        }
      }
      res.end(JSON.stringify({ took: 1, errors, items }));
    });
  }
}

/**
 * A client of Fluent Bit's `forward` input (the Forward protocol v1), for feeding recorded and
 * generated events into a real Fluent Bit exactly as encoded: PackedForward mode, so the entry
 * bytes reach the chunk as sent (Forward mode decodes and re-encodes them), each message
 * acknowledged (`chunk` option) before the next is sent.
 */
import { Socket, connect } from "node:net";
import { FbEvent, encodeTime } from "../events.ts";
import { MpReader, MpWriter, asText, mapGet } from "../msgpack.ts";

/** One message: events of one tag. Fluent Bit hands each message to the filters as one batch. */
export interface ForwardMessage { tag: string; events: FbEvent[] }

export function packedForward(m: ForwardMessage, chunkId: string): Uint8Array {
  const entries = new MpWriter();
  for (const e of m.events) {
    entries.arrHeader(2);
    encodeTime(entries, { ...e, timeKind: "eventtime", group: undefined });
    entries.bytes(e.body);
  }
  const body = entries.finish();
  const w = new MpWriter();
  w.arrHeader(3);
  w.str(m.tag);
  w.bin(body);
  w.mapHeader(2);
  w.str("size"); w.int(BigInt(m.events.length));
  w.str("chunk"); w.str(chunkId);
  return w.finish();
}

/** Sends every message in order over one connection, waiting for each acknowledgement. */
export async function sendForward(port: number, messages: ForwardMessage[], timeoutMs = 30_000): Promise<void> {
  const sock: Socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((ok, fail) => { sock.once("connect", ok); sock.once("error", fail); });
  let pending = Buffer.alloc(0);
  const acks: string[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  sock.on("data", (d) => {
    pending = Buffer.concat([pending, d]);
    const r = new MpReader(pending);
    let read = 0;
    try {
      while (!r.done) {
        const ack = asText(mapGet(r.read(), "ack"));
        if (ack !== undefined) acks.push(ack);
        read = r.pos;
      }
    } catch { /* an incomplete ack: wait for more bytes */ }
    pending = pending.subarray(read);
    wake?.();
  });
  sock.on("error", (e) => { failure = e; wake?.(); });
  sock.on("close", () => { failure ??= new Error("Fluent Bit closed the forward connection"); wake?.(); });
  try {
    for (let i = 0; i < messages.length; i++) {
      const id = `m${i}`;
      sock.write(packedForward(messages[i], id));
      const deadline = Date.now() + timeoutMs;
      while (!acks.includes(id)) {
        if (failure) throw new Error(`message ${i} of ${messages.length} (tag ${messages[i].tag}, ${messages[i].events.length} events): ${failure.message}`);
        if (Date.now() > deadline) throw new Error(`no ack from Fluent Bit for message ${i} within ${timeoutMs} ms`);
        await new Promise<void>((ok) => { wake = ok; setTimeout(ok, 200); });
      }
    }
  } finally {
    sock.removeAllListeners("close");
    sock.end();
    sock.destroy();
  }
}

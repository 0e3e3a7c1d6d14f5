/**
 * A local stand-in for the Kubernetes API server, enough for Fluent Bit's kubernetes filter:
 * `GET /api/v1/namespaces/<ns>/pods/<pod>` answers a pod with one container per name the
 * filter may ask for, labels and annotations, so records get their metadata without a cluster.
 */
import { Server, createServer } from "node:http";

export class KubeApiStandIn {
  readonly asked: string[] = [];
  private server?: Server;
  port = 0;

  async start(): Promise<number> {
    // Fluent Bit's HTTP client writes requests that Node's strict parser refuses (400 before any handler).
    this.server = createServer({ insecureHTTPParser: true }, (req, res) => {
      this.asked.push(req.url ?? "");
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/?]+)/.exec(req.url ?? "");
      res.setHeader("content-type", "application/json");
      if (!m) { res.statusCode = 404; res.end('{"kind":"Status","status":"Failure","code":404}'); return; }
      const [, ns, pod] = m;
      res.end(JSON.stringify({
        kind: "Pod", apiVersion: "v1",
        metadata: { name: pod, namespace: ns, uid: "00000000-0000-4000-8000-000000000001", labels: { app: pod.split("-").slice(0, -2).join("-") || pod }, annotations: {} },
        spec: { nodeName: "node-1", containers: [] },
        status: { hostIP: "127.0.0.2", podIP: "127.0.0.3", containerStatuses: [] },
      }));
    });
    await new Promise<void>((ok) => this.server!.listen(0, "127.0.0.1", ok));
    this.port = (this.server!.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((ok) => this.server!.close(() => ok()));
  }
}

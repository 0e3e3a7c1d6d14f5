/**
 * An example configuration made runnable on this machine, as a user's config would run in a
 * cluster: the paths inside the container mapped to a run folder, the es/opensearch outputs
 * pointed at a local _bulk receiver, every other output replaced by out_file (msgpack) with the
 * same Match, the kubernetes filter pointed at a local API stand-in, and a forward input on a
 * free local port. Inputs, filters, parsers and every other setting stay as the example has them.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

export interface LocalEndpoints { es: number; kube: number; forward: number }

/** Where each path inside the container goes; `{{DIR}}` is the run's folder. */
export const PATH_MAP: [string, string][] = [
  ["/fluent-bit/wasm/", "{{DIR}}/wasm/"],
  ["/fluent-bit/scripts/", "{{DIR}}/scripts/"],
  ["/fluent-bit/etc/conf/custom_parsers.conf", "{{DIR}}/custom_parsers.conf"],
  ["/fluent-bit/etc/parsers.conf", "{{DIR}}/image_parsers.conf"],
  ["/var/fluent-bit/state", "{{DIR}}/state"],
  ["/var/log/containers", "{{DIR}}/containers"],
  ["/var/log/pods", "{{DIR}}/pods"],
  // Tail puts the path in the tag (`Tag kube.*`): tag prefixes and Match patterns follow.
  ["kube.var.log.", "kube.{{DIR_TAG}}."],
];

export function mapPaths(text: string): string {
  for (const [from, to] of PATH_MAP) text = text.replaceAll(from, to);
  return text;
}

/** What the kubernetes filter takes off the tag when the config does not say. */
const KUBE_TAG_PREFIX = "kube.var.log.containers.";

type Props = [string, string][];

/** The settings a section gets instead of, or on top of, its own. */
function localSection(kind: string, props: Props, n: number, e: LocalEndpoints): Props {
  const name = (props.find(([k]) => k.toLowerCase() === "name")?.[1] ?? "").toLowerCase();
  const set = (over: Record<string, string>): Props => {
    const out = props.filter(([k]) => !(k.toLowerCase() in over));
    return [...out, ...Object.entries(over)];
  };
  if (kind === "output") {
    if (name === "es" || name === "opensearch") return set({ host: "127.0.0.1", port: String(e.es), tls: "off" });
    const match = props.find(([k]) => k.toLowerCase() === "match")?.[1] ?? "*";
    return [["name", "file"], ["match", match], ["path", "{{DIR}}/out"], ["file", `${name}.${n}`], ["format", "msgpack"]];
  }
  if (kind === "filter" && name === "kubernetes") {
    // The tail tag holds the run folder's path where a cluster's holds /var/log.
    const prefix = props.find(([k]) => k.toLowerCase() === "kube_tag_prefix")?.[1] ?? KUBE_TAG_PREFIX;
    return set({ kube_url: `http://127.0.0.1:${e.kube}`, kube_token_file: "{{DIR}}/kube-token", "tls.verify": "off", kube_tag_prefix: mapPaths(prefix) });
  }
  if (kind === "input" && name === "forward") return set({ listen: "127.0.0.1", port: String(e.forward) });
  return props;
}

/** The classic form, made local. */
export function localClassic(text: string, e: LocalEndpoints): string {
  const out: string[] = [];
  let kind = "", props: Props = [], header = "";
  let outputs = 0;
  const flush = () => {
    if (!header) return;
    const local = localSection(kind, props, kind === "output" ? outputs++ : 0, e);
    out.push(header, ...local.map(([k, v]) => `    ${k} ${v}`), "");
  };
  for (const raw of mapPaths(text).split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const h = /^\[([A-Z_]+)\]$/i.exec(line);
    if (h) { flush(); header = line; kind = h[1].toLowerCase(); props = []; continue; }
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (m) props.push([m[1], m[2]]);
  }
  flush();
  return out.join("\n");
}

/** The YAML form, made local (comments are not kept). */
export function localYaml(text: string, e: LocalEndpoints): string {
  const doc = parseYaml(text, { schema: "failsafe" }) as Record<string, any>;
  const redo = (kind: string, list: Record<string, string>[] | undefined) =>
    (list ?? []).map((s, n) => Object.fromEntries(localSection(kind, Object.entries(s).map(([k, v]) => [k, String(v)]), n, e)));
  if (doc.pipeline) {
    doc.pipeline.inputs = redo("input", doc.pipeline.inputs);
    doc.pipeline.filters = redo("filter", doc.pipeline.filters);
    doc.pipeline.outputs = redo("output", doc.pipeline.outputs);
  }
  return mapPaths(stringifyYaml(doc));
}

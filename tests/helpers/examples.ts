/** The shipped example configurations and the recorded scenarios each was written for. */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";

export const EXAMPLES: Record<string, { recordings: string[] }> = {
  "eks-opensearch": { recordings: ["seed-custom-multiline"] },
  "any-output": { recordings: ["cri-builtin", "rotation-restart"] },
  "exact-time": { recordings: ["cri-builtin", "rotation-restart"] },
  multiline: { recordings: ["cri-python-multiline-filter"] },
  lua: { recordings: ["seed-custom-multiline", "cri-builtin"] },
};

export const HELM_RECORDINGS = ["cri-builtin", "rotation-restart"];

/** The helm values' config as the chart lays it out: the main file, and custom_parsers.conf. */
export function helmFiles(): { main: string; customParsers: string } {
  const values = parseYaml(readFileSync("examples/helm/values.yaml", "utf8")) as any;
  return { main: [values.config.service, values.config.inputs, values.config.filters, values.config.outputs].join("\n"), customParsers: values.config.customParsers };
}

// Kubernetes metadata from the tail tag `kube.var.log.containers.<pod>_<namespace>_<container>-<id>.log`,
// for clusters that cannot afford the kubernetes filter's API calls. Written as the kubernetes
// filter names its fields; nothing is written when the tag does not have that shape.
import { putAscii, putByte, putJsonEscaped } from "../abi/writer";
import { Span } from "../config/config";
import { writeMember } from "../abi/member";
import { afterLast } from "./tag";

/** Writes the metadata member; false (nothing written) when the tag does not have that shape. */
export function putKubeMetadata(tag: usize, tagLen: i32, key: Span): bool {
  const end = tag + <usize>tagLen;
  // The file name starts after the last "containers."
  const name = afterLast(tag, end, "containers.");
  if (name == 0) return false;
  let stop = end;
  if (stop - name > 4 && load<u8>(stop - 4) == 0x2e && load<u8>(stop - 3) == 0x6c && load<u8>(stop - 2) == 0x6f && load<u8>(stop - 1) == 0x67) stop -= 4;
  let u1: usize = 0, u2: usize = 0;
  for (let p = name; p < stop; p++) {
    if (load<u8>(p) == 0x5f) { if (u1 == 0) u1 = p; else if (u2 == 0) { u2 = p; break; } }
  }
  if (u1 == 0 || u2 == 0) return false;
  let dash: usize = 0;
  for (let p = stop; p > u2 + 1; p--) if (load<u8>(p - 1) == 0x2d) { dash = p - 1; break; }
  if (dash == 0 || stop - dash - 1 != 64) return false;
  writeMember(key);
  putByte(0x7b);
  putField("pod_name", name, u1); putByte(0x2c);
  putField("namespace_name", u1 + 1, u2); putByte(0x2c);
  putField("container_name", u2 + 1, dash); putByte(0x2c);
  putField("docker_id", dash + 1, stop);
  putByte(0x7d);
  return true;
}

function putField(name: string, from: usize, to: usize): void {
  putByte(0x22); putAscii(name); putByte(0x22); putByte(0x3a);
  putByte(0x22); putJsonEscaped(from, to - from); putByte(0x22);
}

/** A canonical text of a value with maps in key order: Lua's iteration order is its own. */
import { MpValue, encode, hex } from "../../harness/msgpack.ts";

export function canon(v: MpValue): string {
  if (v.t === "map") return "{" + v.entries.map(([k, x]) => canon(k) + ":" + canon(x)).sort().join(",") + "}";
  if (v.t === "arr") return "[" + v.items.map(canon).join(",") + "]";
  return hex(encode(v));
}

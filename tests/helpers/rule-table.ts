/** Records that exercise every rule of the CRI filters at least once (shared by the parity and real-Fluent-Bit tests). */
import { MpValue } from "../../harness/msgpack.ts";

/** Every rule at least once: times at their boundaries, each continuation phrase, each defect. */
export function ruleTable(): MpValue[] {
  const T = "2023-10-16T09:48:55.123456789Z";
  const times = [T, "2024-04-13T07:59:37.505201169-10:00", "2023-10-16T09:50:58Z", "2023-10-16t09:50:58.1z", "2023-10-16T09:50:58.1234567891234Z",
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.999999999Z", "0001-01-01T00:30:00+01:00", "2023-02-29T00:00:00Z",
    "2023-04-31T00:00:00Z", "2023-13-01T00:00:00Z", "0000-01-01T00:00:00Z", "2023-06-01T24:00:00Z", "2023-06-01T23:60:00Z", "2016-12-31T23:59:60Z",
    "2023-10-16T09:50:58.Z", "2023-10-16T09:50:58", "2023-10-16T09:50:58+0900", "2023-10-16T09:50:58+24:00", "2023-10-16 09:50:58Z", "3242"];
  const starts = ["Traceback (most recent call last):", "Caused by: x", "Suppressed: y", "... 3 more", "During handling of the above exception, another",
    "The above exception was the direct cause of", "\tat com.example.Main(Main.java:1)", "\tat x", "\t", "  File \"x.py\"", " one space",
    "ValueError: bad", "SystemExit: 1", "KeyboardInterrupt:", "DeprecationWarning: old", "java.lang.IllegalStateException: no", "KeyError",
    "NotAnError: x", "Error", "x".repeat(250) + "Error: long", "[INFO] fine", ""];
  const out: MpValue[] = [];
  const obj = (o: Record<string, string>) => ({ t: "map", entries: Object.entries(o).map(([k, v]) => [{ t: "str", b: Buffer.from(k) }, { t: "str", b: Buffer.from(v) }]) }) as MpValue;
  for (const t of times) {
    out.push(obj({ log: `${t} stdout F message\n` }), obj({ log: `${t} stderr P piece` }), obj({ time: t, stream: "stdout", _p: "F", log: "m" }), obj({ log: t }));
  }
  for (const m of starts) out.push(obj({ log: `${T} stdout F ${m}\n` }), obj({ time: T, stream: "stderr", _p: "F", log: m }), obj({ time: T, stream: "stdout", log: `${m}\n` }));
  out.push(
    obj({ log: `${T} stdout F first\n2023-10-16T09:48:57.5Z stderr F second\n2023-10-16T09:48:56Z stdout P third` }),
    obj({ log: `${T} stdout F a\n\tat b\n2023-10-16T09:48:55.2Z stdout F\n2023-10-16T09:48:55.3Z stdout X c` }),
    obj({ log: `${T} stdout P:TAG x` }), obj({ log: `${T} stdout P:TAG1:TAG2 x` }), obj({ log: `${T} stderr F:x y\n` }), obj({ log: `${T} stdout X:P z\n` }),
    obj({ log: `${T} stdout P: x` }), obj({ time: T, stream: "stdout", _p: "P:TAG", log: "x".repeat(16384) }),
    obj({ log: `${T} stdlog F x` }), obj({ log: `${T} stdout` }), obj({ log: `${T}stdout F x` }),
    obj({ time: T, stream: "stdout", _p: "P", log: "x".repeat(16384) }), obj({ time: T, stream: "stdout", _p: "P", log: "x".repeat(16383) }),
    obj({ time: T, stream: "stdout", log: "no newline" }), obj({ time: T, stream: "stderr", log: `${T} stdout F glued\n` }),
    obj({ time: "not a time", log: `${T} stdout F from log` }), obj({ "@timestamp": "kept", log: "no time here" }), obj({ other: "x" }),
    obj({ log: `${T} stdout F a\nb\nc\n` }), obj({ log: "line one\nline two" }),
  );
  return out;
}


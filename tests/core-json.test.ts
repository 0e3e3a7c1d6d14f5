/**
 * The JSON mending in the AssemblyScript core: whatever text Fluent Bit hands a filter, the copy
 * is JSON that both Fluent Bit readers (v2 jsmn, v5 yyjson) accept, and it keeps the data.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Direct, coreWasm } from "./helpers/probes.ts";
import { packJsonV2, packJsonV5 } from "../harness/fb-json-in.ts";
import { fluentBitJson } from "../harness/fb-json-out.ts";
import { decode, toView, unhex } from "../harness/msgpack.ts";
import { loadVectors } from "./helpers/vectors.ts";

const core = new Direct(coreWasm());

function mend(text: string | Uint8Array): { out: Buffer; broken: boolean } {
  const [p, n] = core.put(text);
  const out = core.cstr(core.ex.mend_json(p, n));
  return { out, broken: core.ex.json_error() === 1 };
}

/** Reads the mended text back as the given Fluent Bit readers do; both must accept it. */
function readBack(out: Uint8Array, readers: ("v5" | "v2")[] = ["v5", "v2"]): unknown {
  const views = readers.map((r) => {
    const packed = r === "v5" ? packJsonV5(out) : packJsonV2(out);
    assert.ok(packed.ok && packed.rootIsMap, `${r} accepts ${Buffer.from(out).toString().slice(0, 200)}`);
    return toView(decode(packed.bytes));
  });
  for (const v of views.slice(1)) assert.deepEqual(v, views[0], "both readers read the same data");
  return views[0];
}

const TABLE: [string, unknown][] = [
  ['{"a":1}', { a: 1 }],
  ['{1:"a"}', { "1": "a" }],
  ['{-5:"a"}', { "-5": "a" }],
  ['{null:"a"}', { null: "a" }],
  ['{true:"a"}', { true: "a" }],
  ['{1.5:"a"}', { "1.5": "a" }],
  ['{[1]:"a"}', { "[1]": "a" }],
  ['{{"x":1}:"a"}', { '{"x":1}': "a" }],
  ['{"e":"\\x65\\x53\\xfffffff1\\x00"}', { e: "\\x65\\x53\\xfffffff1\\x00" }],
  ['{"s":"\\u12"}', { s: "\\u12" }],
  ['{"f":nan}', { f: "nan" }],
  ['{"f":inf,"g":-inf}', { f: "inf", g: "-inf" }],
  ['{"f":1.797693134862316e+308}', { f: "1.797693134862316e+308" }],
  ['{"f":1.7976931348623157e+308}', { f: { $f64: 1.7976931348623157e308 } }],
  ['{"f":1e+21}', { f: { $f64: 1e21 } }],
  ['{"f":1e+300}', { f: { $f64: 1e300 } }],
  ['{"f":4.940656458412465e-324}', { f: 5e-324 }],
  ['{"f":-0.0,"g":100000000000000000.0}', { f: { $f64: "-0" }, g: { $f64: 1e17 } }],
  ['{"a":}', { a: null }],
  ['{"a":[1,{"b":[true,false,null]}],"c":{}}', { a: [1, { b: [true, false, null] }], c: {} }],
  ['{"k\\"\\\\\\u00e9\\n":1}', { 'k"\\é\n': 1 }],
];

test("mending table: each case of invalid text Fluent Bit produces", () => {
  for (const [input, want] of TABLE) {
    const { out, broken } = mend(input);
    assert.equal(broken, false, input);
    assert.deepEqual(readBack(out), want, `${input} -> ${out}`);
  }
});

test("every text Fluent Bit handed a filter in the conformance runs mends into JSON both readers accept", () => {
  let n = 0;
  // Each version's texts are read back by that version's reader.
  for (const [file, settings, reader] of [["json-input.v5.1.1.json", ["escape_unicode_on", "escape_unicode_off"], "v5"], ["json-input.v2.1.8.json", ["default"], "v2"]] as const) {
    for (const v of loadVectors(file).vectors) {
      for (const s of settings) {
        const r = v.received[s];
        if (!r || r.not_seen) continue;
        const text = r.hex !== undefined ? unhex(r.hex) : Buffer.from(r.text, "utf8");
        const { out, broken } = mend(text);
        assert.equal(broken, false, v.name);
        readBack(out, [reader]);
        n++;
      }
    }
  }
  assert.ok(n > 300, `mended ${n} texts`);
});

test("valid JSON passes through byte for byte", () => {
  for (const v of loadVectors("json-input.v5.1.1.json").vectors) {
    const r = v.received.escape_unicode_on;
    if (!r || r.not_seen || r.text === undefined) continue;
    if (!packJsonV5(Buffer.from(r.text)).ok) continue;
    if (/\d[eE]\+?\d/.test(r.text)) continue; // exponent numbers gain ".0" for jsmn
    assert.equal(mend(r.text).out.toString(), r.text, v.name);
  }
});

test("broken structure is reported, never a trap", () => {
  for (const bad of ['{"a":1', '{"a":[1,2', '{"a" 1}', '{"a":1]', '"', "{", "[", "", '{"a":"unterminated']) {
    const { out, broken } = mend(bad);
    assert.equal(broken, true, `${JSON.stringify(bad)} is reported broken`);
    assert.ok(packJsonV5(out).ok, `${JSON.stringify(bad)} is mended into JSON: ${out}`);
  }
  const deep = "[".repeat(10000) + "]".repeat(10000);
  assert.equal(mend(deep).broken, true, "deeper than the walker's stack: reported");
  assert.equal(mend("[".repeat(4000) + "]".repeat(4000)).broken, false, "4000 levels walk");
});

test("the texts Fluent Bit writes from random msgpack bodies all mend", () => {
  // A round trip through Fluent Bit's own JSON writer (both versions and settings).
  const bodies = loadVectors("json-input.v5.1.1.json").vectors.filter((v: any) => v.stored_body_hex).map((v: any) => decode(unhex(v.stored_body_hex)));
  for (const body of bodies) {
    if (body.t !== "map") continue;
    for (const o of [{ dialect: "v5", escapeUnicode: true }, { dialect: "v5", escapeUnicode: false }, { dialect: "v2", escapeUnicode: false }] as const) {
      readBack(mend(fluentBitJson(body, { ...o, nanToNull: false })).out, [o.dialect]);
    }
  }
});

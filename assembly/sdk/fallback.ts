// Never lose a record: what both runners (run.ts, pass.ts) return for a text they cannot copy as
// a JSON object. Fluent Bit never sends one (its JSON may need mending, never more), a fuzzer
// does; and the output may fail to grow.
import { resetMembers, separator, writeMember } from "../abi/member";
import { resultReplaced } from "../abi/result";
import { outPos, outReset, putAscii, putByte, putJsonEscaped, setOutPos } from "../abi/writer";
import { JsonReport } from "../core/json";
import { copyStringMasked, masking } from "../core/mask";
import { Span } from "../core/span";

const WALK = changetype<JsonReport>(memory.data(<i32>offsetof<JsonReport>(), 8));

/**
 * Writes `{"<checkKey>":{"invalid_json":true},"<logKey>":"<the whole text>"}` from `start`:
 * valid JSON holding every byte, flagged. The keys are a plan's (the CRI filters take them from
 * their settings), or `fbwasm_check` and `log` when null (run(): a Span made for those would
 * need a start function). While a redaction is on (core/mask.ts), the text is masked as any
 * string of the record would be. If even this cannot be written, the text goes back as it came
 * (abi/result.ts).
 */
export function fallback(rec: usize, recLen: i32, start: usize, checkKey: Span | null = null, logKey: Span | null = null): usize {
  outReset(start, <usize>recLen * 6 + 1024 + 64); // keys: a setting's value is under 1 KiB
  resetMembers();
  putByte(0x7b);
  putKey(checkKey, "\"fbwasm_check\":"); putAscii("{\"invalid_json\":true}");
  putKey(logKey, "\"log\":");
  const text = outPos; // the string, from its opening quote
  putByte(0x22); putJsonEscaped(rec, <usize>recLen); putByte(0x22);
  if (masking) { // the string again with its secrets masked, in its place
    const textEnd = outPos;
    copyStringMasked(text, textEnd, true, WALK);
    const n = outPos - textEnd;
    memory.copy(text, textEnd, n);
    setOutPos(text + n);
  }
  putByte(0x7d);
  return resultReplaced(rec);
}

/** `"key":` (after a comma but for the first): the Span, or the default (`"name":`, ASCII). */
function putKey(key: Span | null, defaultMember: string): void {
  if (key) writeMember(key);
  else { separator(); putAscii(defaultMember); }
}

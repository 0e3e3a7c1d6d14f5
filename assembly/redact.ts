// build/redact.wasm: masks what must not reach the outputs: the values of named members at any
// depth (`keys`), and the secrets inside every string, `log` included (`secrets`: bearer tokens,
// password-like values, e-mail addresses, card numbers; core/secrets.ts says how each is found).
// Everything else is copied as it came (README, "redact"). On the SDK.
import { Record, SecretKind, Text, Verdict, run, setting } from "./sdk";
import { REDACT_BLOCK, REDACT_BLOCK_SIZE } from "./redact/block";
export { malloc, free } from "./sdk";

// @ts-ignore: decorator
@lazy let loaded = false;
// @ts-ignore: decorator
@lazy let secrets: u32 = 0;

const KEYS = changetype<Text>(memory.data(<i32>offsetof<Text>(), 8));
const MASK = changetype<Text>(memory.data(<i32>offsetof<Text>(), 8));

function load_(): void {
  if (loaded) return;
  loaded = true;
  const keys = setting(REDACT_BLOCK, REDACT_BLOCK_SIZE, "keys");
  KEYS.start = keys.start; KEYS.end = keys.end;
  const mask = setting(REDACT_BLOCK, REDACT_BLOCK_SIZE, "mask");
  MASK.start = mask.start; MASK.end = mask.end;
  const kinds = setting(REDACT_BLOCK, REDACT_BLOCK_SIZE, "secrets");
  if (kinds.lists("bearer")) secrets |= SecretKind.Bearer;
  if (kinds.lists("password")) secrets |= SecretKind.Password;
  if (kinds.lists("email")) secrets |= SecretKind.Email;
  if (kinds.lists("card")) secrets |= SecretKind.Card;
}

function redact(r: Record): Verdict {
  load_();
  r.redact(KEYS, MASK, secrets);
  return Verdict.Keep;
}

/** Masks the named members' values and the secrets inside strings; keeps every record. */
export function redact_secrets(tag: usize, tagLen: i32, sec: u32, nsec: u32, record: usize, recordLen: i32): usize {
  return run(redact, tag, tagLen, sec, nsec, record, recordLen);
}

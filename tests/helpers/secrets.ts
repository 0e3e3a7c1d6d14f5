/**
 * Text with secrets in it, and text that looks like them, for the redact filter's tests: the
 * fragments, and log lines made of them in random order.
 */
export const SECRET_FRAGMENTS = [
  "Authorization: Bearer eyJ0eXAi.abc-DEF_1~+/==", "bearer x", "Bearer", "xBearer abc", "Bearer  t0k3n",
  "password=hunter2", "&user=bob", '{"user":"a","password":"hunter2","n":1}', "PWD : s3cr3t;", "passwords=abc", "mypassword=abc",
  "token: xyz", "api_key=AKIA123", "apikey = k-1", "secret=\"quoted value\"", "token_type=bearer",
  "john.doe+x@mail.example.co.uk", "a@b", "c@d.e", "user@host.local.", "me@x.io,",
  "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111112", "5500 0000 0000 0004", "378282246310005", "12345678901234567890123",
  "2023-10-16T09:48:55.123456789Z", "é", "😀", "\"", "\\", "\n", "\t", "_", "x", "GET /api/v1?user=1", "ok",
];

/** A log line of `n` fragments joined by random separators (none, space, comma, newline, é, letter). */
export function secretLine(r: () => number, n: number): string {
  const seps = ["", " ", " ", ",", "\n", "é", "x", "=", ":"];
  let s = "";
  for (let i = 0; i < n; i++) s += (i ? seps[Math.floor(r() * seps.length)] : "") + SECRET_FRAGMENTS[Math.floor(r() * SECRET_FRAGMENTS.length)];
  return s;
}

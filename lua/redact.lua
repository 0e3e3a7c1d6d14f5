-- redact.lua: the Lua twin of build/redact.wasm, for Fluent Bit's Lua filter (LuaJIT 2.1, Lua 5.1
-- semantics): the values of named members at any depth become the mask, and the secrets inside
-- every string (bearer tokens, password-like values, e-mail addresses, card numbers) are replaced
-- by it; the rest is kept as it came (tests/redact.test.ts runs both over the same records).
--
--   [FILTER]
--       Name   lua
--       Match  kube.*
--       Script /fluent-bit/scripts/redact.lua
--       Call   redact_secrets
--
-- The finders are those of assembly/core/secrets.ts, run over the decoded string here (the module
-- reads the escaped JSON text, where an escape is one character no secret is made of).

-- Settings: the same names and defaults as `fbwasm configure` (README, "redact"); set a value
-- here. The table is generated from harness/settings-block.ts by `npm run build`.
local settings = {
  -- member names (any case) whose values become the mask, at any depth
  keys = "password,passwd,secret,token,api_key,apikey,authorization",
  -- the kinds of secret looked for inside strings (below)
  secrets = "bearer,password,email,card",
  -- the text written instead
  mask = "[REDACTED]",
}

local byte, sub, lower, concat = string.byte, string.sub, string.lower, table.concat

local function list_of(text)
  local set = {}
  for item in string.gmatch(text, "[^,]+") do set[item] = true end
  return set
end
local names = {}
for name in pairs(list_of(settings.keys)) do names[lower(name)] = true end
local kinds = list_of(settings.secrets)
local MASK = settings.mask

local function is_digit(c) return c ~= nil and c >= 48 and c <= 57 end
local function is_letter(c) return c ~= nil and ((c >= 65 and c <= 90) or (c >= 97 and c <= 122)) end
local function is_alnum(c) return is_digit(c) or is_letter(c) end
local function is_word(c) return is_alnum(c) or c == 95 end
local function is_token(c) return is_alnum(c) or c == 45 or c == 46 or c == 95 or c == 126 or c == 43 or c == 47 end
local function is_local(c) return is_alnum(c) or c == 46 or c == 95 or c == 37 or c == 43 or c == 45 end
local function is_value(c) return c ~= nil and c > 32 and c < 127 and c ~= 34 and c ~= 92 and c ~= 38 and c ~= 44 and c ~= 59 end

local function word_at(s, i, w) return lower(sub(s, i, i + #w - 1)) == w end
local function skip_spaces(s, i) while byte(s, i) == 32 do i = i + 1 end return i end

-- Each finder: the span [a, b) to mask of a secret starting at i, or nil.
local function bearer_at(s, i)
  if not word_at(s, i, "bearer") then return nil end
  local q = i + 6
  if byte(s, q) ~= 32 then return nil end
  q = skip_spaces(s, q)
  local token = q
  while is_token(byte(s, q)) do q = q + 1 end
  if q == token then return nil end
  while byte(s, q) == 61 do q = q + 1 end
  return token, q
end

local PASSWORD_NAMES = { "password", "passwd", "pwd", "secret", "token", "api_key", "apikey" }
local function password_at(s, i)
  for _, name in ipairs(PASSWORD_NAMES) do
    if word_at(s, i, name) then
      local q = i + #name
      if byte(s, q) == 34 then q = q + 1 end
      q = skip_spaces(s, q)
      local c = byte(s, q)
      if c ~= 61 and c ~= 58 then return nil end
      q = skip_spaces(s, q + 1)
      if byte(s, q) == 34 then q = q + 1 end
      local value = q
      while is_value(byte(s, q)) do q = q + 1 end
      if q == value then return nil end
      return value, q
    end
  end
  return nil
end

local function email_at(s, i)
  local q = i
  while is_local(byte(s, q)) do q = q + 1 end
  if q == i or byte(s, q) ~= 64 then return nil end
  q = q + 1
  local labels, last_letters, last_length = 0, true, 0
  while true do
    local label, letters = q, true
    while is_alnum(byte(s, q)) or byte(s, q) == 45 do
      if not is_letter(byte(s, q)) then letters = false end
      q = q + 1
    end
    if q == label then return nil end
    labels, last_letters, last_length = labels + 1, letters, q - label
    local n = byte(s, q + 1)
    if byte(s, q) == 46 and (is_alnum(n) or n == 45) then q = q + 1 else break end
  end
  if labels < 2 or not last_letters or last_length < 2 then return nil end
  return i, q
end

local function card_at(s, i)
  local q, digits, last = i, 0, i
  while is_digit(byte(s, q)) do
    digits = digits + 1
    q = q + 1
    last = q
    local c = byte(s, q)
    if (c == 32 or c == 45) and is_digit(byte(s, q + 1)) then q = q + 1 end
  end
  if digits < 13 or digits > 19 then return nil end
  if is_word(byte(s, last)) then return nil end
  local sum, second = 0, false
  for r = last - 1, i, -1 do
    local c = byte(s, r)
    if is_digit(c) then
      local d = c - 48
      if second then d = d * 2 if d > 9 then d = d - 9 end end
      sum = sum + d
      second = not second
    end
  end
  if sum % 10 ~= 0 then return nil end
  return i, last
end

-- The first secret at or after i (the character before i a word character when after_word).
local function find_secret(s, i, after_word)
  local n = #s
  while i <= n do
    local c = byte(s, i)
    if not after_word then
      local a, b
      if is_letter(c) then
        if kinds.bearer then a, b = bearer_at(s, i) end
        if not a and kinds.password then a, b = password_at(s, i) end
      end
      if not a and kinds.email and is_local(c) then a, b = email_at(s, i) end
      if not a and kinds.card and is_digit(c) then a, b = card_at(s, i) end
      if a then return a, b end
    end
    after_word = is_word(c)
    i = i + 1
  end
  return nil
end

local function masked(s)
  local a, b = find_secret(s, 1, false)
  if not a then return s, false end
  local out, at = {}, 1
  while a do
    out[#out + 1] = sub(s, at, a - 1)
    out[#out + 1] = MASK
    at = b
    a, b = find_secret(s, b, is_word(byte(s, b - 1)))
  end
  out[#out + 1] = sub(s, at)
  return concat(out), true
end

-- Masks inside t (a table of the record); true when something changed.
local function redact(t)
  local changed = false
  for k, v in pairs(t) do
    if type(k) == "string" and names[lower(k)] then
      t[k] = MASK
      changed = true
    elseif type(v) == "string" then
      local m, did = masked(v)
      if did then t[k] = m changed = true end
    elseif type(v) == "table" then
      if redact(v) then changed = true end
    end
  end
  return changed
end

function redact_secrets(tag, timestamp, record)
  if redact(record) then return 2, timestamp, record end
  return 0, timestamp, record
end

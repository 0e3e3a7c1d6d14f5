-- lift.lua: the Lua twin of build/lift.wasm, for Fluent Bit's Lua filter (LuaJIT 2.1, Lua 5.1
-- semantics): the members of a JSON object inside `log` (behind a CRI header or not) lifted into
-- the record, or under a key; a `log` that is no JSON object is kept as it is
-- (tests/lift.test.ts runs both over the same records).
--
--   [FILTER]
--       Name   lua
--       Match  kube.*
--       Script /fluent-bit/scripts/lift.lua
--       Call   lift_json
--
-- Where the twins differ, by what a Lua table can hold: a JSON null is left out (a table cannot
-- hold nil), an empty array comes out as an empty object, a number with a fraction of zero
-- (`5.0`) as an integer, and of a name the payload repeats the last one is kept.

-- Settings: the same names and defaults as `fbwasm configure` (README, "lift"); set a value
-- here. The table is generated from harness/settings-block.ts by `npm run build`.
local settings = {
  -- the member whose text is lifted
  key = "log",
  -- put the object under this member instead of the top level (no clash with `stream`, `time`, `kubernetes`…)
  under = "",
  -- `false`: remove `key` once its text was lifted (a text that is no object stays)
  keep_key = true,
  -- skip a CRI header (`<time> <stream> <tag> `) before the JSON
  cri = true,
}

local byte, sub, find, char, match = string.byte, string.sub, string.find, string.char, string.match
local tonumber = tonumber

-- A JSON decoder for one text: returns the value, or nil when the text is not exactly one JSON value.
local decode_value

local function skip_ws(s, i)
  local _, e = find(s, "^[ \t\r\n]*", i)
  return e + 1
end

local function utf8(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then return char(0xc0 + math.floor(cp / 64), 0x80 + cp % 64) end
  if cp < 0x10000 then return char(0xe0 + math.floor(cp / 4096), 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64) end
  return char(0xf0 + math.floor(cp / 262144), 0x80 + math.floor(cp / 4096) % 64, 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
end

local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function decode_string(s, i)
  local out, n = {}, 0
  i = i + 1
  while true do
    local j = find(s, '["\\]', i)
    if not j then return nil end
    n = n + 1; out[n] = sub(s, i, j - 1)
    if byte(s, j) == 34 then return table.concat(out), j + 1 end
    local e = sub(s, j + 1, j + 1)
    if ESCAPES[e] then
      n = n + 1; out[n] = ESCAPES[e]; i = j + 2
    elseif e == "u" then
      local hex = match(s, "^%x%x%x%x", j + 2)
      if not hex then return nil end
      local cp = tonumber(hex, 16)
      i = j + 6
      if cp >= 0xd800 and cp <= 0xdbff then
        local lo = match(s, "^\\u(%x%x%x%x)", i)
        local low = lo and tonumber(lo, 16)
        if low and low >= 0xdc00 and low <= 0xdfff then cp = 0x10000 + (cp - 0xd800) * 1024 + (low - 0xdc00); i = i + 6 else cp = 0xfffd end
      elseif cp >= 0xdc00 and cp <= 0xdfff then
        cp = 0xfffd
      end
      n = n + 1; out[n] = utf8(cp)
    else
      return nil
    end
  end
end

-- `room`: how many more containers the value may open (nil past it: the payload stays text).
function decode_value(s, i, room)
  i = skip_ws(s, i)
  local c = byte(s, i)
  if c == 34 then return decode_string(s, i) end
  if (c == 123 or c == 91) and room < 1 then return nil end
  if c == 123 then
    local t = {}
    i = skip_ws(s, i + 1)
    if byte(s, i) == 125 then return t, i + 1 end
    while true do
      if byte(s, i) ~= 34 then return nil end
      local k; k, i = decode_string(s, i)
      if not k then return nil end
      i = skip_ws(s, i)
      if byte(s, i) ~= 58 then return nil end
      local v; v, i = decode_value(s, i + 1, room - 1)
      if i == nil then return nil end
      t[k] = v
      i = skip_ws(s, i)
      local d = byte(s, i)
      if d == 125 then return t, i + 1 end
      if d ~= 44 then return nil end
      i = skip_ws(s, i + 1)
    end
  end
  if c == 91 then
    local t, n = {}, 0
    i = skip_ws(s, i + 1)
    if byte(s, i) == 93 then return t, i + 1 end
    while true do
      local v; v, i = decode_value(s, i, room - 1)
      if i == nil then return nil end
      n = n + 1; t[n] = v
      i = skip_ws(s, i)
      local d = byte(s, i)
      if d == 93 then return t, i + 1 end
      if d ~= 44 then return nil end
      i = i + 1
    end
  end
  if sub(s, i, i + 3) == "true" then return true, i + 4 end
  if sub(s, i, i + 4) == "false" then return false, i + 5 end
  if sub(s, i, i + 3) == "null" then return nil, i + 4 end
  local num = match(s, "^%-?%d+%.?%d*[eE]?[%+%-]?%d*", i)
  if num and num ~= "" and tonumber(num) then return tonumber(num), i + #num end
  return nil
end

-- The most nested containers a lift may make a record hold (the record's table included): Fluent
-- Bit 2.1.8 crashes when an output formats a record of 28 to 31 as JSON, and outputs stop decoding
-- a chunk at a record of 32 or more (the module's DEEPEST_RECORD, assembly/sdk/run.ts).
local DEEPEST_RECORD = 27

-- The object `text` holds (after a CRI header when settings.cri), or nil.
local function object_of(text)
  if settings.cri then
    local rest = match(text, "^%d%d%d%d%-%d%d%-%d%dT[^ ]+ std[oe][ur][tr] [^ ]+ (.*)$")
    if rest then text = rest end
  end
  local i = skip_ws(text, 1)
  if byte(text, i) ~= 123 then return nil end
  local v, e = decode_value(text, i, settings.under ~= "" and DEEPEST_RECORD - 1 or DEEPEST_RECORD)
  if e == nil or skip_ws(text, e) <= #text then return nil end
  return v
end

function lift_json(tag, timestamp, record)
  local text = record[settings.key]
  if type(text) ~= "string" then return 0, timestamp, record end
  local object = object_of(text)
  if object == nil then return 0, timestamp, record end
  if not settings.keep_key then record[settings.key] = nil end
  if settings.under ~= "" then
    if record[settings.under] == nil then record[settings.under] = object end
  else
    for k, v in pairs(object) do
      if record[k] == nil and not (k == settings.key and not settings.keep_key) then record[k] = v end
    end
  end
  return 2, timestamp, record
end

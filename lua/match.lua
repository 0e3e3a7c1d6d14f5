-- match.lua: the Lua twin of build/match.wasm, for Fluent Bit's Lua filter (LuaJIT 2.1, Lua 5.1
-- semantics): keeps or drops records by the values of their members, with the same rules
-- (scripts/match-rules.ts has the grammar; tests/match.test.ts runs both over the same records).
--
--   [FILTER]
--       Name   lua
--       Match  kube.*
--       Script /fluent-bit/scripts/match.lua
--       Call   match_records

-- Settings: the same names and defaults as `fbwasm configure` (README, "match"); set a value
-- here. The table is generated from harness/settings-block.ts by `npm run build`.
local settings = {
  -- rules separated by `;`, each `PATH OP VALUE` (below); up to 16; none: every record passes
  rules = "",
  -- `drop`: a record that matches is dropped; `keep`: only records that match are kept
  action = "drop",
  -- `any`: one rule holding is a match; `all`: every rule must hold
  combine = "any",
}

local find, sub, match = string.find, string.sub, string.match

local function trim(s) return (match(s, "^[ \t]*(.-)[ \t]*$")) end
local function is_json_number(s)
  local int, rest = match(s, "^%-?(%d+)(.*)$")
  if not int or (#int > 1 and sub(int, 1, 1) == "0") then return false end
  local frac = match(rest, "^%.(%d+)")
  if frac then rest = sub(rest, #frac + 2) end
  return rest == "" or match(rest, "^[eE][%+%-]?%d+$") ~= nil
end

local OPS = { ["=="] = true, ["!="] = true, ["^="] = true, ["*="] = true, ["<="] = true, [">="] = true, ["<"] = true, [">"] = true, ["exists"] = true, ["!exists"] = true }

-- The rules, read once; a rule that cannot be read is left out (fbwasm configure refuses those).
local rules = {}
for raw in (settings.rules .. ";"):gmatch("([^;]*);") do
  local r = trim(raw)
  local sp = find(r, " ", 1, true)
  if r ~= "" and sp then
    local path, ok = {}, true
    for name in (sub(r, 1, sp - 1) .. "."):gmatch("([^.]*)%.") do
      if name == "" then ok = false end
      path[#path + 1] = name
    end
    local rest = match(sub(r, sp + 1), "^[ \t]*(.*)$")
    local opEnd = find(rest, " ", 1, true)
    local op = opEnd and sub(rest, 1, opEnd - 1) or rest
    local value = opEnd and trim(sub(rest, opEnd + 1)) or ""
    local numeric = is_json_number(value)
    if not OPS[op] or #path > 4 then ok = false end
    if (op == "exists" or op == "!exists") ~= (value == "") then ok = false end
    if (op == "<" or op == "<=" or op == ">" or op == ">=") and not numeric then ok = false end
    if (op == "^=" or op == "*=") and value == "" then ok = false end
    if ok and #rules < 16 then rules[#rules + 1] = { path = path, op = op, value = value, number = numeric and tonumber(value) or nil } end
  end
end
local drop_matching = settings.action ~= "keep"
local need_all = settings.combine == "all"

local function equals(v, rule)
  local t = type(v)
  if t == "string" then return v == rule.value end
  if t == "number" then return rule.number ~= nil and v == rule.number end
  if t == "boolean" then return rule.value == (v and "true" or "false") end
  return false
end

local function holds(record, rule)
  local v = record
  for i = 1, #rule.path do
    if type(v) ~= "table" then v = nil break end
    v = v[rule.path[i]]
  end
  local op = rule.op
  if op == "exists" then return v ~= nil end
  if op == "!exists" then return v == nil end
  if op == "==" then return equals(v, rule) end
  if op == "!=" then return not equals(v, rule) end
  if type(v) ~= "string" and type(v) ~= "number" then return false end
  if op == "^=" then return type(v) == "string" and sub(v, 1, #rule.value) == rule.value end
  if op == "*=" then return type(v) == "string" and find(v, rule.value, 1, true) ~= nil end
  local x = v
  if type(v) == "string" then x = is_json_number(v) and tonumber(v) or nil end
  if x == nil then return false end
  if op == "<" then return x < rule.number end
  if op == "<=" then return x <= rule.number end
  if op == ">" then return x > rule.number end
  return x >= rule.number
end

function match_records(tag, timestamp, record)
  if #rules == 0 then return 0, timestamp, record end
  local matched = need_all
  for i = 1, #rules do
    local h = holds(record, rules[i])
    if need_all and not h then matched = false break end
    if not need_all and h then matched = true break end
  end
  if matched == drop_matching then return -1, timestamp, record end
  return 0, timestamp, record
end

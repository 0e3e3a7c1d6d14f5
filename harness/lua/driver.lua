-- Calls a Lua filter function the way Fluent Bit's filter_lua does (src/flb_lua.c,
-- plugins/filter_lua/lua.c): each record is decoded from msgpack into a Lua table as
-- flb_lua_pushmsgpack does, the function is called as f(tag, {sec, nsec}, record) (time_as_table),
-- and what it returns is read back in the order and with the types the C code reads it. Run under
-- real LuaJIT:
--
--   luajit harness/lua/driver.lua SCRIPT FUNCTION IN OUT VERSION [REPEAT]
--
-- IN holds msgpack arrays [tag, sec, nsec, body]. VERSION is the Fluent Bit release whose code to
-- follow; two changes matter (docs/fluent-bit-facts.md, "Lua filter"):
--   2.1.10: tables made from msgpack carry a metatable saying array or map, so they convert back
--           to what they were (an empty array stays an array, a map with keys 1..n a map);
--   4.0.4:  the results are read code first, then the timestamp, then the record (before: the
--           record first, then the timestamp, then the code).
-- OUT receives per record
-- [action, sec, nsec, body, log], where action is what Fluent Bit does with it:
--   "drop"      code -1;
--   "keep"      the record as it came (code 0, or an unknown code);
--   "set"       body and time as returned (codes 1 and 2), body a map or an array of maps;
--   "crash"     Fluent Bit dies: a record with a nil or NaN key cannot be made a Lua table (LuaJIT
--               panics), and converting a table used as a map key back reads a wrong stack slot
--               (SIGSEGV); log holds what Fluent Bit prints last;
--   "untouched" the C code gives up on the whole batch (FLB_FILTER_NOTOUCH): every record of the
--               filter call leaves as it came, and the records after this one are never called;
-- and log lists the filter's error lines, as keys: "invalid_ts", "invalid_table",
-- "unexpected_code <n>", "error <message>".
-- FUNCTION `passthrough` returns every record as it came with code 2, which makes the conversion
-- visible. With REPEAT, the calls are timed (only the function, not the conversions) and ns/call
-- goes to stderr.
local script, fname, inpath, outpath, version, repeats = arg[1], arg[2], arg[3], arg[4], arg[5], tonumber(arg[6] or "0")
local function at_least(v)
  local a = { version:match("^(%d+)%.(%d+)%.(%d+)$") }
  local b = { v:match("^(%d+)%.(%d+)%.(%d+)$") }
  assert(#a == 3, "VERSION must be X.Y.Z")
  for k = 1, 3 do if tonumber(a[k]) ~= tonumber(b[k]) then return tonumber(a[k]) > tonumber(b[k]) end end
  return true
end
local typed_tables = at_least("2.1.10")
local code_first = at_least("4.0.4")
-- 5.x's event encoder refuses an event time outside 0 .. 2^32-1 seconds, and then pack_result
-- fails (2.1.8 stores it wrapped; the release in between that changed this was not measured).
local range_checked = at_least("5.0.0")
local ARRAY, MAP = { type = 1 }, { type = 2 } -- FLB_LUA_L2C_TYPE_ARRAY / _MAP

if fname == "passthrough" then
  _G.passthrough = function(tag, ts, record) return 2, ts, record end
else
  dofile(script)
end
local fn = _G[fname]
assert(type(fn) == "function", "no function " .. fname)

local f = assert(io.open(inpath, "rb"))
local data = f:read("*a")
f:close()

-- ---- msgpack -> Lua, as flb_lua_pushmsgpack ----
local byte, sub = string.byte, string.sub
-- Numbers are read and written by arithmetic on their IEEE 754 fields, never by reinterpreting
-- memory through the FFI: with a union (and before it, casts of one buffer to several pointer
-- types), the JIT-compiled decoder now and then returned a double as the one read before it (seen
-- twice in tests/lift.test.ts, on different machines, never on demand). Every step below is
-- exact in doubles: the fields are under 2^53, ldexp and frexp only move the exponent, and
-- hi * 2^32 + lo rounds once, as C's (double) of a 64-bit integer does.
local floor, ldexp, frexp, huge = math.floor, math.ldexp, math.frexp, math.huge
local TWO32 = 2 ^ 32
-- LuaJIT keeps one NaN (sign bit set, quiet), whatever bits it was made from: that is what
-- lua_pushnumber stores and what Fluent Bit writes back.
local LUAJIT_NAN = 0 / 0
local LUAJIT_NAN_BYTES = "\255\248\0\0\0\0\0\0"

local function u32(pos) -- 4 big-endian bytes
  local a, b, c, d = byte(data, pos, pos + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end
local function read_double(pos)
  local hi, lo = u32(pos), u32(pos + 4)
  local sign = hi >= 2 ^ 31 and -1 or 1
  local e = floor(hi / 2 ^ 20) % 2048
  local m = (hi % 2 ^ 20) * TWO32 + lo
  if e == 2047 then return m == 0 and sign * huge or LUAJIT_NAN end
  if e == 0 then return sign * ldexp(m, -1074) end
  return sign * ldexp(m + 2 ^ 52, e - 1075)
end
local function read_float(pos)
  local w = u32(pos)
  local sign = w >= 2 ^ 31 and -1 or 1
  local e = floor(w / 2 ^ 23) % 256
  local m = w % 2 ^ 23
  if e == 255 then return m == 0 and sign * huge or LUAJIT_NAN end
  if e == 0 then return sign * ldexp(m, -149) end
  return sign * ldexp(m + 2 ^ 23, e - 150)
end
local function read_uint64(pos) return u32(pos) * TWO32 + u32(pos + 4) end
local function read_int64(pos)
  local hi = u32(pos)
  if hi >= 2 ^ 31 then hi = hi - TWO32 end
  return hi * TWO32 + u32(pos + 4)
end

local function uint(pos, n)
  local v = 0
  for k = 0, n - 1 do v = v * 256 + byte(data, pos + k) end
  return v
end
local TWO63 = 2 ^ 63
-- lua_pushinteger(l, (double) u64): the double is cast to a 64-bit integer, then back to a number.
local function as_lua_integer(d)
  if d >= TWO63 or d < -TWO63 then return -TWO63 end -- the cast overflows to INT64_MIN on x86-64
  return d
end

-- lua_pushnumber: every NaN becomes LuaJIT's own.
local function pushed_number(v)
  if v ~= v then return LUAJIT_NAN end
  return v
end

local decode
local panic -- set when a record could not be pushed (see decode_n)
-- lua_createtable(l, n, 0) / (l, 0, n), as flb_lua_pushmsgpack: the array part's size decides
-- what `#` (lua_objlen) says of an array with nil items.
local table_new = require("table.new")

local function decode_n(pos, n, is_map)
  local t = is_map and table_new(0, n) or table_new(n, 0)
  if typed_tables then setmetatable(t, is_map and MAP or ARRAY) end
  for k = 1, n do
    if is_map then
      local key, v
      key, pos = decode(pos)
      v, pos = decode(pos)
      -- A nil or NaN key is an error inside flb_lua_pushmsgpack, outside any protected call:
      -- LuaJIT panics and Fluent Bit exits (seen on 2.1.8 and 5.1.1).
      if key == nil then panic = panic or "table index is nil"
      elseif key ~= key then panic = panic or "table index is NaN"
      else t[key] = v end
    else
      local v
      v, pos = decode(pos)
      t[k] = v
    end
  end
  return t, pos
end

decode = function(pos)
  local b = byte(data, pos)
  if b <= 0x7f then return b, pos + 1 end
  if b >= 0xe0 then return b - 256, pos + 1 end
  if b <= 0x8f then return decode_n(pos + 1, b - 0x80, true) end
  if b <= 0x9f then return decode_n(pos + 1, b - 0x90, false) end
  if b <= 0xbf then local n = b - 0xa0 return sub(data, pos + 1, pos + n), pos + 1 + n end
  if b == 0xc0 then return nil, pos + 1 end
  if b == 0xc2 then return false, pos + 1 end
  if b == 0xc3 then return true, pos + 1 end
  if b == 0xc4 or b == 0xd9 then local n = uint(pos + 1, 1) return sub(data, pos + 2, pos + 1 + n), pos + 2 + n end
  if b == 0xc5 or b == 0xda then local n = uint(pos + 1, 2) return sub(data, pos + 3, pos + 2 + n), pos + 3 + n end
  if b == 0xc6 or b == 0xdb then local n = uint(pos + 1, 4) return sub(data, pos + 5, pos + 4 + n), pos + 5 + n end
  -- ext: the payload as a string (the type byte is not part of it)
  if b == 0xc7 then local n = uint(pos + 1, 1) return sub(data, pos + 3, pos + 2 + n), pos + 3 + n end
  if b == 0xc8 then local n = uint(pos + 1, 2) return sub(data, pos + 4, pos + 3 + n), pos + 4 + n end
  if b == 0xc9 then local n = uint(pos + 1, 4) return sub(data, pos + 6, pos + 5 + n), pos + 6 + n end
  if b >= 0xd4 and b <= 0xd8 then local n = 2 ^ (b - 0xd4) return sub(data, pos + 2, pos + 1 + n), pos + 2 + n end
  if b == 0xca then return pushed_number(read_float(pos + 1)), pos + 5 end
  if b == 0xcb then return pushed_number(read_double(pos + 1)), pos + 9 end
  if b == 0xcc then return uint(pos + 1, 1), pos + 2 end
  if b == 0xcd then return uint(pos + 1, 2), pos + 3 end
  if b == 0xce then return uint(pos + 1, 4), pos + 5 end
  if b == 0xcf then return as_lua_integer(read_uint64(pos + 1)), pos + 9 end
  if b == 0xd0 then local v = uint(pos + 1, 1) return v >= 128 and v - 256 or v, pos + 2 end
  if b == 0xd1 then local v = uint(pos + 1, 2) return v >= 32768 and v - 65536 or v, pos + 3 end
  if b == 0xd2 then local v = uint(pos + 1, 4) return v >= 2147483648 and v - 4294967296 or v, pos + 5 end
  if b == 0xd3 then return as_lua_integer(read_int64(pos + 1)), pos + 9 end
  if b == 0xdc then return decode_n(pos + 3, uint(pos + 1, 2), false) end
  if b == 0xdd then return decode_n(pos + 5, uint(pos + 1, 4), false) end
  if b == 0xde then return decode_n(pos + 3, uint(pos + 1, 2), true) end
  if b == 0xdf then return decode_n(pos + 5, uint(pos + 1, 4), true) end
  error(string.format("unexpected msgpack byte 0x%02x at %d", b, pos))
end

-- ---- Lua -> msgpack, as flb_lua_tomsgpack ----
-- Output pieces, joined every few thousand (one table of millions of pieces overflows).
local out, joined = {}, {}
local function put(s)
  out[#out + 1] = s
  if #out >= 4096 then joined[#joined + 1] = table.concat(out) out = {} end
end
local char = string.char
local function u32_bytes(w) -- 0 <= w < 2^32, big-endian
  return char(floor(w / 16777216), floor(w / 65536) % 256, floor(w / 256) % 256, w % 256)
end
-- An integer-valued double as the 8 bytes of a two's complement int64 (or a uint64 when >= 0).
local function int64_bytes(v)
  local hi = floor(v / TWO32)
  local lo = v - hi * TWO32
  if hi < 0 then hi = hi + TWO32 end
  return u32_bytes(hi) .. u32_bytes(lo)
end
local function double_bytes(v)
  if v ~= v then return LUAJIT_NAN_BYTES end
  local sign = (v < 0 or (v == 0 and 1 / v < 0)) and 2 ^ 31 or 0
  local a = v < 0 and -v or v
  local e, m = 0, 0
  if a == huge then e = 2047
  elseif a ~= 0 then
    local f, x = frexp(a) -- a = f * 2^x, 0.5 <= f < 1
    e = x + 1022
    if e <= 0 then e, m = 0, ldexp(a, 1074) -- subnormal
    else m = ldexp(f, 53) - 2 ^ 52 end
  end
  return u32_bytes(sign + e * 2 ^ 20 + floor(m / TWO32)) .. u32_bytes(m % TWO32)
end

local function put_int64(v) -- msgpack_pack_int64: the smallest form
  if v >= 0 then
    if v <= 0x7f then put(char(v))
    elseif v <= 0xff then put(char(0xcc, v))
    elseif v <= 0xffff then put(char(0xcd, math.floor(v / 256), v % 256))
    elseif v <= 0xffffffff then put(char(0xce) .. u32_bytes(v))
    else put(char(0xcf) .. int64_bytes(v)) end
  else
    if v >= -32 then put(char(v + 256))
    elseif v >= -128 then put(char(0xd0, v + 256))
    elseif v >= -32768 then local w = v + 65536 put(char(0xd1, math.floor(w / 256), w % 256))
    elseif v >= -2147483648 then put(char(0xd2) .. u32_bytes(v + TWO32))
    else put(char(0xd3) .. int64_bytes(v)) end
  end
end

local function put_len(n, fix, fixmax, b8, b16, b32)
  if fix and n <= fixmax then put(char(fix + n))
  elseif b8 and n <= 0xff then put(char(b8, n))
  elseif n <= 0xffff then put(char(b16, math.floor(n / 256), n % 256))
  else put(char(b32, math.floor(n / 16777216), math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)) end
end

-- C's (int64_t) of a double on x86-64 (nil: out of range, which gives INT64_MIN), and (int) of
-- an int64 (its low 32 bits, signed).
local function to_int64(d)
  if d ~= d or d >= TWO63 or d < -TWO63 then return nil end
  return d >= 0 and math.floor(d) or math.ceil(d)
end
local function to_int32(i)
  local m = math.fmod(i, 2 ^ 32)
  if m < 0 then m = m + 2 ^ 32 end
  return m >= 2 ^ 31 and m - 2 ^ 32 or m
end

-- lua_arraylength (src/flb_lua.c): table.maxn when it is an integer whose int is positive, else
-- the count of positive number keys when they are all there is and their maximum equals their
-- count; -1 otherwise.
local function array_length(t)
  local n = table.maxn(t)
  local i = to_int64(n)
  local ret = (i ~= nil and i == n) and to_int32(i) or 0
  if ret > 0 then return ret end
  local count, max = 0, 0
  for k in pairs(t) do
    if type(k) ~= "number" then return -1 end
    local kn = to_int64(k) -- read into a lua_Integer
    if kn == nil or kn <= 0 then return -1 end
    if kn > max then max = to_int32(kn) end
    count = count + 1
  end
  if max ~= count then return -1 end
  return max
end

-- How flb_lua_tomsgpack packs a table: the number of items when as an array, nil when as a map.
-- A table made from msgpack says which it was (typed_tables); any other is an array when
-- lua_arraylength finds one.
local function array_items(v)
  local mt = typed_tables and getmetatable(v)
  if mt and type(mt.type) == "number" and mt.type >= 0 then
    if mt.type == ARRAY.type then return #v end -- lua_toarray_msgpack: lua_objlen items
    return nil
  end
  local n = array_length(v)
  if n > 0 then return n end
  return nil
end

local encode
encode = function(v)
  local t = type(v)
  if t == "string" then put_len(#v, 0xa0, 31, 0xd9, 0xda, 0xdb) put(v)
  elseif t == "number" then
    -- lua_isinteger: the number equals its conversion to a 64-bit integer
    if v == v and v >= -TWO63 and v < TWO63 and v == math.floor(v) then put_int64(v)
    else put(char(0xcb) .. double_bytes(v)) end
  elseif t == "boolean" then put(v and char(0xc3) or char(0xc2))
  elseif t == "table" then
    local n = array_items(v)
    if n then
      put_len(n, 0x90, 15, nil, 0xdc, 0xdd)
      for k = 1, n do encode(v[k]) end
    else
      local count = 0
      for _ in pairs(v) do count = count + 1 end
      put_len(count, 0x80, 15, nil, 0xde, 0xdf)
      for k, x in pairs(v) do encode(k) encode(x) end
    end
  elseif t == "nil" then put(char(0xc0))
  end -- functions, userdata, threads: not serialized
end

-- ---- the calls ----
if repeats > 0 then
  -- Timing: in batches, as Fluent Bit holds one record at a time (a million live tables would
  -- make every garbage collection walk them all); fresh tables each round, since the filter
  -- edits them. Only the calls are measured; the best round counts.
  local BATCH = 10000
  local best, count = math.huge, 0
  for _ = 1, repeats do
    local total = 0
    local pos = 1
    count = 0
    while pos <= #data do
      local inputs = {}
      while pos <= #data and #inputs < BATCH do inputs[#inputs + 1], pos = decode(pos) end
      count = count + #inputs
      collectgarbage() -- the decoding's garbage is not the filter's
      local t0 = os.clock()
      for k = 1, #inputs do local r = inputs[k] fn(r[1], { sec = r[2], nsec = r[3] }, r[4]) end
      total = total + (os.clock() - t0)
    end
    if total < best then best = total end
  end
  io.stderr:write(string.format("%.1f\n", best * 1e9 / count))
  return
end

local records = {}
local pos = 1
while pos <= #data do
  local rec
  panic = nil
  rec, pos = decode(pos)
  rec.panic = panic
  records[#records + 1] = rec
end

-- lua_tointeger: a number truncated toward zero, a numeric string converted, anything else 0.
local function tointeger(v)
  if type(v) == "string" then v = tonumber(v) end
  if type(v) ~= "number" or v ~= v then return 0 end
  return v >= 0 and math.floor(v) or math.ceil(v)
end

-- What flb_lua_tomsgpack makes of a value, then pack_result's check of it: a map, or an array
-- whose items are all maps, is a record; anything else is not.
local function is_record(v)
  if type(v) ~= "table" then return false end
  local n = array_items(v)
  if not n then return true end
  for k = 1, n do
    if type(v[k]) ~= "table" or array_items(v[k]) then return false end
  end
  return true
end

-- flb_lua_tomsgpack on a map whose key is itself a table reads the wrong stack slot and Fluent Bit
-- dies of SIGSEGV: before 2.1.10 for any table key, from then on for a key that was an array
-- (seen on 2.1.8 and 5.1.1; a map key survives on 5.1.1).
local function crashes(v, depth)
  if type(v) ~= "table" or depth > 200 then return false end
  local n = array_items(v)
  if n then
    for k = 1, n do if crashes(v[k], depth + 1) then return true end end
    return false
  end
  for k, x in pairs(v) do
    if type(k) == "table" and (not typed_tables or getmetatable(k) == ARRAY) then return true end
    if crashes(k, depth + 1) or crashes(x, depth + 1) then return true end
  end
  return false
end

local function put_result(action, sec, nsec, body, log)
  put(char(0x95))
  put_len(#action, 0xa0, 31, 0xd9, 0xda, 0xdb) put(action)
  put_int64(sec)
  put_int64(nsec)
  encode(body)
  put(char(0x90 + #log))
  for _, l in ipairs(log) do put_len(#l, 0xa0, 31, 0xd9, 0xda, 0xdb) put(l) end
end

for _, r in ipairs(records) do
  local ts = { sec = r[2], nsec = r[3] }
  local ok, code, rts, body
  if not r.panic then ok, code, rts, body = pcall(fn, r[1], ts, r[4]) end
  local log = {}
  if r.panic then
    -- "PANIC: unprotected error in call to Lua API (...)": the process is gone.
    put_result("crash", r[2], r[3], nil, { "PANIC: unprotected error in call to Lua API (" .. r.panic .. ")" })
  elseif not ok then
    -- protected_mode: "error code 2: <message>", and the whole batch passes untouched.
    put_result("untouched", r[2], r[3], nil, { "error " .. tostring(code) })
  else
    -- The three results as the C code reads them off the Lua stack (see the header).
    local l_code, sec, nsec, data = 0, r[2], r[3], nil
    if code_first then l_code = tointeger(code) end
    if type(rts) == "table" then
      sec, nsec = tointeger(rts.sec), tointeger(rts.nsec)
      data = body
    else
      log[#log + 1] = "invalid_ts"
      -- The timestamp is left on the stack: from 4.0.4 it is then converted as the record,
      -- before it is read as the code.
      if code_first then data = rts else data = body l_code = tointeger(rts) end
    end
    if not code_first and type(rts) == "table" then l_code = tointeger(code) end
    if l_code == 2 then sec, nsec = r[2], r[3] end
    local unholdable = l_code == 1 and range_checked and (sec < 0 or sec >= 2 ^ 32)
    if crashes(data, 0) then put_result("crash", r[2], r[3], nil, { "SIGSEGV" })
    elseif unholdable then log[#log + 1] = "invalid_table" put_result("untouched", r[2], r[3], nil, log)
    elseif l_code == -1 then put_result("drop", r[2], r[3], nil, log)
    elseif l_code == 1 or l_code == 2 then
      if is_record(data) then put_result("set", sec, nsec, data, log)
      else log[#log + 1] = "invalid_table" put_result("untouched", r[2], r[3], nil, log) end
    else
      if l_code ~= 0 then log[#log + 1] = "unexpected_code " .. l_code end
      put_result("keep", r[2], r[3], nil, log)
    end
  end
end
local o = assert(io.open(outpath, "wb"))
o:write(table.concat(joined))
o:write(table.concat(out))
o:close()

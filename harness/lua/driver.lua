-- Calls a Lua filter function the way Fluent Bit's filter_lua does (src/flb_lua.c, plugins/filter_lua):
-- each record is decoded from msgpack into a Lua table as flb_lua_pushmsgpack does, the function
-- is called as f(tag, {sec, nsec}, record) (time_as_table), and a returned table is encoded back
-- as flb_lua_tomsgpack does. Run under real LuaJIT:
--
--   luajit harness/lua/driver.lua SCRIPT FUNCTION IN OUT [REPEAT]
--
-- IN holds msgpack arrays [tag, sec, nsec, body]; OUT receives [code, sec, nsec, body] per record
-- (body as the filter left it when code is 0, encoded all the same). FUNCTION `passthrough`
-- returns every record as it came with code 2, which makes the conversion visible. With REPEAT,
-- the calls are timed (only the function, not the conversions) and ns/call goes to stderr.
local ffi = require("ffi")
local script, fname, inpath, outpath, repeats = arg[1], arg[2], arg[3], arg[4], tonumber(arg[5] or "0")

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
local u8buf = ffi.new("uint8_t[8]")
local dbl = ffi.cast("double*", u8buf)
local flt = ffi.cast("float*", u8buf)
local i64 = ffi.cast("int64_t*", u8buf)
local u64 = ffi.cast("uint64_t*", u8buf)

local function be(pos, n) -- big-endian bytes into the little-endian scratch buffer
  for k = 0, n - 1 do u8buf[k] = byte(data, pos + n - 1 - k) end
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

local decode
local function decode_n(pos, n, is_map)
  local t = {}
  for k = 1, n do
    if is_map then
      local key, v
      key, pos = decode(pos)
      v, pos = decode(pos)
      if key ~= nil then t[key] = v end -- a nil key would be a Lua error in Fluent Bit
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
  if b == 0xca then be(pos + 1, 4) return tonumber(flt[0]), pos + 5 end
  if b == 0xcb then be(pos + 1, 8) return tonumber(dbl[0]), pos + 9 end
  if b == 0xcc then return uint(pos + 1, 1), pos + 2 end
  if b == 0xcd then return uint(pos + 1, 2), pos + 3 end
  if b == 0xce then return uint(pos + 1, 4), pos + 5 end
  if b == 0xcf then be(pos + 1, 8) return as_lua_integer(tonumber(u64[0])), pos + 9 end
  if b == 0xd0 then local v = uint(pos + 1, 1) return v >= 128 and v - 256 or v, pos + 2 end
  if b == 0xd1 then local v = uint(pos + 1, 2) return v >= 32768 and v - 65536 or v, pos + 3 end
  if b == 0xd2 then local v = uint(pos + 1, 4) return v >= 2147483648 and v - 4294967296 or v, pos + 5 end
  if b == 0xd3 then be(pos + 1, 8) return as_lua_integer(tonumber(i64[0])), pos + 9 end
  if b == 0xdc then return decode_n(pos + 3, uint(pos + 1, 2), false) end
  if b == 0xdd then return decode_n(pos + 5, uint(pos + 1, 4), false) end
  if b == 0xde then return decode_n(pos + 3, uint(pos + 1, 2), true) end
  if b == 0xdf then return decode_n(pos + 5, uint(pos + 1, 4), true) end
  error(string.format("unexpected msgpack byte 0x%02x at %d", b, pos))
end

-- ---- Lua -> msgpack, as flb_lua_tomsgpack ----
local out = {}
local function put(s) out[#out + 1] = s end
local char = string.char
local function be_bytes(n) local t = {} for k = n - 1, 0, -1 do t[#t + 1] = char(u8buf[k]) end return table.concat(t) end

local function put_int64(v) -- msgpack_pack_int64: the smallest form
  if v >= 0 then
    if v <= 0x7f then put(char(v))
    elseif v <= 0xff then put(char(0xcc, v))
    elseif v <= 0xffff then put(char(0xcd, math.floor(v / 256), v % 256))
    elseif v <= 0xffffffff then put(char(0xce, math.floor(v / 16777216), math.floor(v / 65536) % 256, math.floor(v / 256) % 256, v % 256))
    else u64[0] = v put(char(0xcf) .. be_bytes(8)) end
  else
    if v >= -32 then put(char(v + 256))
    elseif v >= -128 then put(char(0xd0, v + 256))
    elseif v >= -32768 then local w = v + 65536 put(char(0xd1, math.floor(w / 256), w % 256))
    elseif v >= -2147483648 then local w = v + 4294967296 put(char(0xd2, math.floor(w / 16777216), math.floor(w / 65536) % 256, math.floor(w / 256) % 256, w % 256))
    else i64[0] = v put(char(0xd3) .. be_bytes(8)) end
  end
end

local function put_len(n, fix, fixmax, b8, b16, b32)
  if fix and n <= fixmax then put(char(fix + n))
  elseif b8 and n <= 0xff then put(char(b8, n))
  elseif n <= 0xffff then put(char(b16, math.floor(n / 256), n % 256))
  else put(char(b32, math.floor(n / 16777216), math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)) end
end

-- lua_arraylength: table.maxn when positive, else the count of positive number keys when they
-- are all there is and their maximum equals their count; -1 otherwise.
local function array_length(t)
  local n = table.maxn(t)
  if n > 0 then return n end
  local count, max = 0, 0
  for k in pairs(t) do
    if type(k) ~= "number" or k <= 0 then return -1 end
    if k > max then max = k end
    count = count + 1
  end
  if max ~= count then return -1 end
  return max
end

local encode
encode = function(v)
  local t = type(v)
  if t == "string" then put_len(#v, 0xa0, 31, 0xd9, 0xda, 0xdb) put(v)
  elseif t == "number" then
    -- lua_isinteger: the number equals its conversion to a 64-bit integer
    if v == v and v > -TWO63 - 1 and v < TWO63 and v == math.floor(v) then put_int64(v)
    else dbl[0] = v put(char(0xcb) .. be_bytes(8)) end
  elseif t == "boolean" then put(v and char(0xc3) or char(0xc2))
  elseif t == "table" then
    local n = array_length(v)
    if n > 0 then
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
  rec, pos = decode(pos)
  records[#records + 1] = rec
end

for _, r in ipairs(records) do
  local ts = { sec = r[2], nsec = r[3] }
  local code, nts, body = fn(r[1], ts, r[4])
  if code ~= 1 then nts = ts end -- only code 1 sets the time
  if code == 0 or code == nil then body = r[4] end
  put(char(0x94))
  put_int64(code or 0)
  put_int64(nts.sec)
  put_int64(nts.nsec)
  encode(body)
end
local o = assert(io.open(outpath, "wb"))
o:write(table.concat(out))
o:close()

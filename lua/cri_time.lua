-- cri_time.lua: the Lua twin of build/cri_time.wasm, for Fluent Bit's Lua filter (LuaJIT 2.1,
-- Lua 5.1 semantics). Same four functions, same behaviour and diagnostics (tests/lua-parity.test.ts
-- runs both over the same records). Use it where filter_wasm cannot run: Fluent Bit built without
-- WAMR, records from in_forward on 5.x without `threaded on`, or a team that must audit a script.
--
--   [FILTER]
--       Name           lua
--       Match          kube.*
--       Script         /fluent-bit/scripts/cri_time.lua
--       Call           cri_event_time
--       Time_as_Table  On
--
-- One difference by design: the Lua filter can set the event time itself, so `cri_event_time`
-- and `cri_timestamp_and_event_time` return it (code 1) instead of writing `_event_time` for a
-- parser filter; no parser filter follows. `Time_as_Table On` keeps the nanoseconds (a Lua number
-- cannot hold epoch nanoseconds; the table holds sec and nsec as two integers).

-- Settings: the same names and defaults as `fbwasm configure` (README, "Settings"); set a value
-- here. The table is generated from harness/settings-block.ts by `npm run build`.
local settings = {
  -- the key holding the line or message
  log_key = "log",
  -- the key a `cri`/`docker` parser left the time in
  time_key = "time",
  -- the stream key: read, and written when splitting raw lines
  stream_key = "stream",
  -- the CRI tag key (`P`/`F`): read, and written when splitting raw lines
  tag_key = "_p",
  -- written by `cri_timestamp*`
  timestamp_key = "@timestamp",
  -- written by `cri_event_time` and `cri_timestamp_and_event_time`
  event_time_key = "_event_time",
  -- the diagnostics
  check_key = "cri_check",
  -- keep the original raw line under this key
  raw_key = "",
  -- split raw CRI lines into `log`/`stream`/`_p`
  split_raw = true,
  -- remove CRI headers from glued continuation lines
  repair_glued = true,
  -- report `span_ms` above this
  span_ms = 1000,
  -- report `drift_ms` at or above this
  drift_ms = 1000,
  -- the runtime's split size, for `partial` on `cri`-parsed records
  partial_piece_bytes = 16384,
  -- add `kubernetes: {pod_name, namespace_name, container_name, docker_id}` from the tail tag `kube.var.log.containers.<pod>_<ns>_<container>-<id>.log`, for clusters that cannot afford the kubernetes filter's API calls
  kube = false,
  -- where `kube` puts that
  kube_key = "kubernetes",
  -- write a record id under this key ("Record ids"), for the es/opensearch outputs' `Id_Key`
  id_key = "",
}

local byte, sub, find, format, floor = string.byte, string.sub, string.find, string.format, math.floor

------------------------------------------------------------------------------------------------
-- RFC 3339 (core/time.ts): YYYY-MM-DD(T|t)hh:mm:ss[.f…](Z|z|±hh:mm), years 0001-9999, real month
-- lengths, second 60 rejected, fraction digits past the 9th truncated, a zone required.

local MONTH_DAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
local DAYS_BEFORE = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 }
local MIN_SEC, MAX_SEC = -62135596800, 253402300799
local SCALE = { [0] = 1000000000, 100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1 }

local function is_leap(y)
  return y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)
end

-- Two digits at byte i of s, or nil.
local function digits2(s, i)
  local a, b = byte(s, i, i + 1)
  if not a or not b or a < 48 or a > 57 or b < 48 or b > 57 then return nil end
  return (a - 48) * 10 + (b - 48)
end

-- Parses the time starting at byte i of s; the text ends at byte e. Returns nil, sec, nsec, the
-- index after the time; or the reason it is not a time.
local function parse_time(s, i, e)
  local len = e - i + 1
  if len <= 0 then return "empty" end
  if len < 19 then return "bad_syntax" end
  local b4, b7, b10, b13, b16 = byte(s, i + 4), byte(s, i + 7), byte(s, i + 10), byte(s, i + 13), byte(s, i + 16)
  if b4 ~= 45 or b7 ~= 45 or b13 ~= 58 or b16 ~= 58 then return "bad_syntax" end
  if b10 ~= 84 and b10 ~= 116 then return "bad_syntax" end
  local century, yy, month, day = digits2(s, i), digits2(s, i + 2), digits2(s, i + 5), digits2(s, i + 8)
  local hour, minute, second = digits2(s, i + 11), digits2(s, i + 14), digits2(s, i + 17)
  if not (century and yy and month and day and hour and minute and second) then return "bad_syntax" end
  local year = century * 100 + yy
  if year < 1 then return "bad_year" end
  if month < 1 or month > 12 then return "bad_month" end
  local dim = MONTH_DAYS[month] + ((month == 2 and is_leap(year)) and 1 or 0)
  if day < 1 or day > dim then return "bad_day" end
  if hour > 23 then return "bad_hour" end
  if minute > 59 then return "bad_minute" end
  if second > 59 then return "bad_second" end
  local at = i + 19
  local nsec = 0
  if at <= e and byte(s, at) == 46 then
    at = at + 1
    local n = 0
    while at <= e do
      local d = byte(s, at) - 48
      if d < 0 or d > 9 then break end
      if n < 9 then nsec = nsec * 10 + d end
      n = n + 1
      at = at + 1
    end
    if n == 0 then return "bad_fraction" end
    if n < 9 then nsec = nsec * SCALE[n] end
  end
  if at > e then return "bad_offset" end
  local offset = 0
  local z = byte(s, at)
  if z == 90 or z == 122 then
    at = at + 1
  elseif z == 43 or z == 45 then
    if at + 5 > e or byte(s, at + 3) ~= 58 then return "bad_offset" end
    local oh, om = digits2(s, at + 1), digits2(s, at + 4)
    if not oh or not om or oh > 23 or om > 59 then return "bad_offset" end
    offset = (oh * 60 + om) * 60
    if z == 45 then offset = -offset end
    at = at + 6
  else
    return "bad_offset"
  end
  local before = year - 1
  local days = before * 365 + floor(before / 4) - floor(before / 100) + floor(before / 400) +
    DAYS_BEFORE[month] + ((month > 2 and is_leap(year)) and 1 or 0) + day - 1 - 719162
  local sec = days * 86400 + hour * 3600 + minute * 60 + second - offset
  if sec < MIN_SEC or sec > MAX_SEC then return "out_of_range" end
  return nil, sec, nsec, at
end

local PAIRS = {}
for i = 0, 99 do PAIRS[i] = format("%02d", i) end

-- Epoch seconds + nanoseconds as RFC 3339 UTC with 9 digits (core/format-time.ts).
local function format_time(sec, nsec)
  local days = floor(sec / 86400)
  local rem = sec - days * 86400
  local z = days + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local d = doy - floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  -- Two digits per table lookup and one concatenation: LuaJIT compiles these, not string.format.
  local n1, r1 = floor(nsec / 10000000), nsec % 10000000
  local n2, r2 = floor(r1 / 100000), r1 % 100000
  local n3, r3 = floor(r2 / 1000), r2 % 1000
  return PAIRS[floor(y / 100)] .. PAIRS[y % 100] .. "-" .. PAIRS[m] .. "-" .. PAIRS[d] .. "T" .. PAIRS[floor(rem / 3600)] .. ":" ..
    PAIRS[floor(rem / 60) % 60] .. ":" .. PAIRS[rem % 60] .. "." .. PAIRS[n1] .. PAIRS[n2] .. PAIRS[n3] .. PAIRS[floor(r3 / 10)] .. (r3 % 10) .. "Z"
end

------------------------------------------------------------------------------------------------
-- The CRI line header (core/cri.ts): `<time> <stdout|stderr> <tag> <message>`, split at the first
-- three spaces as kubelet does. A line that ends right after the tag has an empty message. The tag
-- field is a `:`-separated list; its first element is `P`, `F` or something else (kubelet reads
-- only that one); the rest is kept for the diagnostics.

-- Parses the rest of a header at byte q (just after its time); the line ends at byte e.
-- Returns nil, stream, first tag's start, its end, message start, and the other tags' start and
-- end (nil when the field holds one tag); or the reason.
local function parse_after_time(s, q, e)
  if q > e or byte(s, q) ~= 32 then return "no_stream" end
  q = q + 1
  if q + 5 > e then return "bad_stream" end
  local word = sub(s, q, q + 5)
  local stream
  if word == "stdout" then stream = "stdout" elseif word == "stderr" then stream = "stderr" else return "bad_stream" end
  q = q + 6
  if q > e or byte(s, q) ~= 32 then return "no_tag" end
  q = q + 1
  local tag_start, first_end = q, nil
  while q <= e do
    local c = byte(s, q)
    if c == 32 then break end
    if c == 58 and not first_end then first_end = q end -- ':'
    q = q + 1
  end
  if q == tag_start then return "no_tag" end
  local message = q <= e and q + 1 or e + 1
  if first_end then return nil, stream, tag_start, first_end - 1, message, first_end + 1, q - 1 end
  return nil, stream, tag_start, q - 1, message
end

local function may_start_header(s, p, e)
  if p + 4 > e then return false end
  local c, dash = byte(s, p), byte(s, p + 4)
  return c >= 48 and c <= 57 and dash == 45
end

local function parse_header(s, p, e)
  local why, sec, nsec, after = parse_time(s, p, e)
  if why then return why end
  local why2, stream, tag_start, tag_end, message = parse_after_time(s, after, e)
  if why2 then return why2 end
  return nil, stream, tag_start, tag_end, message, sec, nsec
end

------------------------------------------------------------------------------------------------
-- Line kinds (filters/continuation.ts): does a line start a message, or continue one?

local EXCEPTION_SUFFIXES = { "Error", "Exception", "Warning", "Exit", "Interrupt" }
local MAX_NAME = 200

local function is_ident(c)
  return (c >= 65 and c <= 90) or (c >= 97 and c <= 122) or (c >= 48 and c <= 57) or c == 95 or c == 46 or c == 36
end

local function is_exception_line(s, p, e)
  local limit = (e - p + 1 > MAX_NAME) and p + MAX_NAME - 1 or e
  local q = p
  while q <= limit and is_ident(byte(s, q)) do q = q + 1 end
  if q > limit and limit < e then return false end
  if q == p or (q <= e and byte(s, q) ~= 58) then return false end
  local name = sub(s, p, q - 1)
  for _, suffix in ipairs(EXCEPTION_SUFFIXES) do
    if #name >= #suffix and sub(name, -#suffix) == suffix then return true end
  end
  return false
end

local START, CONTINUATION, EMPTY = 0, 1, 2

local function starts(s, p, e, phrase)
  local n = #phrase
  return p + n - 1 <= e and sub(s, p, p + n - 1) == phrase
end

-- The first byte picks the one phrase that can match.
local function line_kind(s, p, e)
  if p > e then return EMPTY end
  local c = byte(s, p)
  if c == 9 then return CONTINUATION end -- a tab: `\tat …`
  if c == 32 then return (p + 1 <= e and byte(s, p + 1) == 32) and CONTINUATION or START end -- an indented frame
  if c == 46 then if starts(s, p, e, "...") then return CONTINUATION end -- `.` may start a class name too
  elseif c == 84 then
    if starts(s, p, e, "Traceback (most recent call last):") or starts(s, p, e, "The above exception was the direct cause") then return CONTINUATION end
  elseif c == 67 then if starts(s, p, e, "Caused by:") then return CONTINUATION end
  elseif c == 83 then if starts(s, p, e, "Suppressed:") then return CONTINUATION end
  elseif c == 68 then if starts(s, p, e, "During handling of the above exception") then return CONTINUATION end
  end
  return is_exception_line(s, p, e) and CONTINUATION or START
end

------------------------------------------------------------------------------------------------
-- The `log` text, line by line (filters/log-scan.ts): the first line's time and header, the raw
-- CRI lines a multiline parser glued on, and how many lines start a message.

-- End (inclusive) of the line starting at p, and where the next one starts.
local function line_end(s, p, e)
  local nl = find(s, "\n", p, true)
  if not nl or nl > e then return e, e + 1 end
  return nl - 1, nl + 1
end

-- One scan state, reused for every record (Fluent Bit calls a filter's function one record at a
-- time): no table is made per record but the diagnostics that go into it.
local scan = { glued = {} }
local glued_used = false

local function note_header(stream, tag, sec, nsec)
  scan.cri_lines = scan.cri_lines + 1
  if stream == "stdout" then scan.saw_stdout = true else scan.saw_stderr = true end
  scan.last_tag = tag
  local ms = sec * 1000 + floor(nsec / 1000000)
  if ms < scan.min_ms then scan.min_ms = ms end
  if ms > scan.max_ms then scan.max_ms = ms end
end

local function scan_log(s)
  local e = #s
  scan.first_has_time, scan.first_time_status, scan.first_is_cri, scan.first_cri_status = false, "empty", false, "bad_time"
  scan.lines, scan.cri_lines, scan.message_starts = 0, 0, 0
  scan.saw_stdout, scan.saw_stderr, scan.last_tag, scan.first_more_tags = false, false, nil, nil
  scan.min_ms, scan.max_ms, scan.first_message = math.huge, -math.huge, 1
  scan.ends_with_newline = e >= 1 and byte(s, e) == 10
  if glued_used then scan.glued = {} glued_used = false end
  local line = 1
  while line <= e or scan.lines == 0 do
    scan.lines = scan.lines + 1
    local text_end, next_line = line_end(s, line, e)
    local text = line
    if line == 1 then
      if may_start_header(s, 1, text_end) then
        local why, sec, nsec, after = parse_time(s, 1, text_end)
        scan.first_time_status = why or "ok"
        if not why then
          local c = byte(s, after)
          if after > text_end or c == 32 or c == 9 then
            scan.first_has_time, scan.first_sec, scan.first_nsec = true, sec, nsec
            local why2, stream, tag_start, tag_end, message, more_start, more_end = parse_after_time(s, after, text_end)
            scan.first_cri_status = why2 or "ok"
            if not why2 then
              local tag = sub(s, tag_start, tag_end)
              scan.first_is_cri, scan.first_stream, scan.first_tag, scan.first_message = true, stream, tag, message
              scan.first_more_tags = more_start and sub(s, more_start, more_end) or nil
              text = message
              note_header(stream, tag, sec, nsec)
            end
          else
            scan.first_time_status = "bad_syntax"
          end
        end
      end
      scan.first_kind = line_kind(s, text, text_end)
      if scan.first_kind ~= EMPTY then scan.message_starts = scan.message_starts + 1 end
    else
      if may_start_header(s, line, text_end) then
        local why, stream, tag_start, tag_end, message, sec, nsec = parse_header(s, line, text_end)
        if not why then
          text = message
          note_header(stream, sub(s, tag_start, tag_end), sec, nsec)
          scan.glued[line] = message
          glued_used = true
        end
      end
      if line_kind(s, text, text_end) == START then scan.message_starts = scan.message_starts + 1 end
    end
    if next_line > e then break end
    line = next_line
  end
  return scan
end

-- The message text of `log`: the first line's header removed (when split) and the headers glued
-- at the start of later lines removed (when repairing).
local function message_text(s, scan, split, repair)
  local p = split and scan.first_message or 1
  local e = #s
  if split and e >= p and byte(s, e) == 10 then e = e - 1 end -- the cri parser's message stops before the line break
  if not repair then return sub(s, p, e) end
  local parts, line = {}, p
  while line <= e do
    local nl = find(s, "\n", line, true)
    local stop = (nl and nl <= e) and nl or e
    local from = (line ~= p and scan.glued[line]) or line
    parts[#parts + 1] = sub(s, from, stop)
    line = stop + 1
  end
  return table.concat(parts)
end

------------------------------------------------------------------------------------------------
-- The record id (filters/record-id.ts): MurmurHash3 x86 128, seed 0, of the container's identity,
-- 0x00, the written time (i64 and u32, little-endian), the stream, 0x00 and the message; 32 hex
-- digits. 32-bit arithmetic with LuaJIT's `bit` library; a product is formed from 16-bit halves so
-- that no intermediate passes 2^53.

local bit = bit or require("bit")
local band, bor, bxor, lshift, rshift, rol, tobit, tohex = bit.band, bit.bor, bit.bxor, bit.lshift, bit.rshift, bit.rol, bit.tobit, bit.tohex

local function mul32(a, b)
  local alo, ahi, blo, bhi = band(a, 0xffff), rshift(a, 16), band(b, 0xffff), rshift(b, 16)
  return tobit(alo * blo + lshift(alo * bhi + ahi * blo, 16))
end

local C1, C2, C3, C4 = tobit(0x239b961b), tobit(0xab0e9789), tobit(0x38b34ae5), tobit(0xa1e38b93)

local function fmix(h)
  h = bxor(h, rshift(h, 16)); h = mul32(h, tobit(0x85ebca6b))
  h = bxor(h, rshift(h, 13)); h = mul32(h, tobit(0xc2b2ae35))
  return bxor(h, rshift(h, 16))
end

local function le32(s, i)
  local a, b, c, d = byte(s, i, i + 3)
  return bor(a, lshift(b, 8), lshift(c, 16), lshift(d, 24))
end

-- The little-endian lane of the tail at byte i, of n (1 to 4) bytes.
local function tail_lane(s, i, n)
  local k = 0
  for j = n - 1, 0, -1 do k = bor(lshift(k, 8), byte(s, i + j)) end
  return k
end

local function murmur3_128(s)
  local h1, h2, h3, h4 = 0, 0, 0, 0
  local n = #s
  local blocks = n - n % 16
  for i = 1, blocks, 16 do
    local k1, k2, k3, k4 = le32(s, i), le32(s, i + 4), le32(s, i + 8), le32(s, i + 12)
    h1 = bxor(h1, mul32(rol(mul32(k1, C1), 15), C2)); h1 = tobit(rol(h1, 19) + h2); h1 = tobit(h1 * 5 + 0x561ccd1b)
    h2 = bxor(h2, mul32(rol(mul32(k2, C2), 16), C3)); h2 = tobit(rol(h2, 17) + h3); h2 = tobit(h2 * 5 + 0x0bcaa747)
    h3 = bxor(h3, mul32(rol(mul32(k3, C3), 17), C4)); h3 = tobit(rol(h3, 15) + h4); h3 = tobit(h3 * 5 + 0x96cd1c35)
    h4 = bxor(h4, mul32(rol(mul32(k4, C4), 18), C1)); h4 = tobit(rol(h4, 13) + h1); h4 = tobit(h4 * 5 + 0x32ac3b17)
  end
  local rest, t = n - blocks, blocks + 1
  if rest > 12 then h4 = bxor(h4, mul32(rol(mul32(tail_lane(s, t + 12, rest - 12), C4), 18), C1)) end
  if rest > 8 then h3 = bxor(h3, mul32(rol(mul32(tail_lane(s, t + 8, rest > 12 and 4 or rest - 8), C3), 17), C4)) end
  if rest > 4 then h2 = bxor(h2, mul32(rol(mul32(tail_lane(s, t + 4, rest > 8 and 4 or rest - 4), C2), 16), C3)) end
  if rest > 0 then h1 = bxor(h1, mul32(rol(mul32(tail_lane(s, t, rest > 4 and 4 or rest), C1), 15), C2)) end
  h1, h2, h3, h4 = bxor(h1, n), bxor(h2, n), bxor(h3, n), bxor(h4, n)
  h1 = tobit(h1 + h2 + h3 + h4); h2 = tobit(h2 + h1); h3 = tobit(h3 + h1); h4 = tobit(h4 + h1)
  h1, h2, h3, h4 = fmix(h1), fmix(h2), fmix(h3), fmix(h4)
  h1 = tobit(h1 + h2 + h3 + h4); h2 = tobit(h2 + h1); h3 = tobit(h3 + h1); h4 = tobit(h4 + h1)
  return tohex(h1, 8) .. tohex(h2, 8) .. tohex(h3, 8) .. tohex(h4, 8)
end

-- Just after the last occurrence of `mark` in `s`, or nil (filters/tag.ts).
local function after_last(s, mark)
  local found, from = nil, 1
  while true do
    local a, b = find(s, mark, from, true)
    if not a then return found end
    found, from = b + 1, a + 1
  end
end

-- The tag without a rotation suffix (`.log.1`, `.log.20231016-094855` -> `.log`).
local function without_rotation(tag)
  local base = tag:match("^(.*%.log)%.[%d%-]+$")
  return base or tag
end

-- `<namespace>/<pod>/<container>` for a kubelet log file's tag, else the tag; both without a
-- rotation suffix.
local function container_identity(tag)
  local t = without_rotation(tag)
  if sub(t, -4) == ".log" then
    local stop = #t - 4
    local last_c, last_p = after_last(t, "containers."), after_last(t, "pods.")
    if last_c then
      local name = sub(t, last_c, stop)
      local pod, ns, rest = name:match("^([^_]*)_([^_]*)_(.*)$")
      if pod and #rest >= 66 and byte(rest, #rest - 64) == 45 then return ns .. "/" .. pod .. "/" .. sub(rest, 1, #rest - 65) end
    end
    if last_p then
      local name = sub(t, last_p, stop)
      local dir, container = name:match("^(.*)%.([^%.]+)%.%d+$")
      if dir then
        local u1 = find(dir, "_", 1, true)
        local u3 = u1 and dir:match("^.*()_")
        if u1 and u3 > u1 + 1 then return sub(dir, 1, u1 - 1) .. "/" .. sub(dir, u1 + 1, u3 - 1) .. "/" .. container end
      end
    end
  end
  return t
end

local function le_bytes(v)
  return string.char(band(v, 0xff), band(rshift(v, 8), 0xff), band(rshift(v, 16), 0xff), band(rshift(v, 24), 0xff))
end

local function record_id(tag, sec, nsec, stream, message)
  local hi = floor(sec / 4294967296)
  local lo = sec - hi * 4294967296
  return murmur3_128(container_identity(tag) .. "\0" .. le_bytes(tobit(lo)) .. le_bytes(tobit(hi)) .. le_bytes(nsec) ..
    (stream or "") .. "\0" .. message)
end

------------------------------------------------------------------------------------------------
-- Kubernetes metadata from the tail tag (filters/kube.ts).

local function kube_metadata(tag)
  local name = after_last(tag, "containers.")
  if not name then return nil end
  local stop = #tag
  if stop - name + 1 > 4 and sub(tag, -4) == ".log" then stop = stop - 4 end
  local u1 = find(tag, "_", name, true)
  if not u1 or u1 > stop then return nil end
  local u2 = find(tag, "_", u1 + 1, true)
  if not u2 or u2 > stop then return nil end
  local dash
  for q = stop, u2 + 2, -1 do
    if byte(tag, q) == 45 then dash = q break end
  end
  if not dash or stop - dash ~= 64 then return nil end
  return {
    pod_name = sub(tag, name, u1 - 1), namespace_name = sub(tag, u1 + 1, u2 - 1),
    container_name = sub(tag, u2 + 1, dash - 1), docker_id = sub(tag, dash + 1, stop),
  }
end

------------------------------------------------------------------------------------------------
-- The filter (filters/cri-filter.ts, record.ts, check.ts).

local TIMESTAMP, EVENT_TIME, REWRITE, CHECK = 1, 2, 4, 8

-- Per record, reused: the defects found (record.ts analyse()) and the diagnostics table, made
-- only when there is something to report.
local facts = {}
local check = nil
local function put(k, v)
  if not check then check = {} end
  check[k] = v
end

local function filter(mode, tag, ts, record)
  local cfg = settings
  -- Without Time_as_Table the time is a number: usable, but it cannot hold nanoseconds exactly.
  local ts_is_number = type(ts) == "number"
  if ts_is_number then
    local s = floor(ts)
    ts = { sec = s, nsec = floor((ts - s) * 1e9 + 0.5) }
  end
  local log = record[cfg.log_key]
  local has_log = type(log) == "string"
  local time_text = record[cfg.time_key]
  local has_time = type(time_text) == "string"
  local stream_value = record[cfg.stream_key]
  local has_stream = stream_value ~= nil
  local record_stream = has_stream and type(stream_value) == "string" and (stream_value == "stderr" and "stderr" or "stdout") or nil
  local has_tag_key = record[cfg.tag_key] ~= nil
  -- `P`, or `P:` and more tags (the whole field, from a regex parser such as `cri`'s logtag).
  local tag_value = record[cfg.tag_key]
  local tag_key_is_p = tag_value == "P" or (type(tag_value) == "string" and sub(tag_value, 1, 2) == "P:")

  local scan = has_log and scan_log(log) or nil

  -- The time: the time key first (records from the cri/docker parsers), else the start of `log`.
  local status, sec, nsec = "empty", 0, 0
  if has_time then
    local why, s, n, after = parse_time(time_text, 1, #time_text)
    if not why and after ~= #time_text + 1 then why = "bad_syntax" end
    status, sec, nsec = why or "ok", s, n
  end
  if status ~= "ok" and scan and scan.first_has_time then status, sec, nsec = "ok", scan.first_sec, scan.first_nsec end
  if status ~= "ok" and not has_time and has_log then status = scan.first_time_status end
  local ok = status == "ok"

  -- Defects seen in the record (record.ts analyse()).
  if scan then
    facts.glued = scan.cri_lines > 1
    facts.several = scan.message_starts > 1
    facts.continuation = scan.first_kind == CONTINUATION
    facts.unknown_tag = scan.first_is_cri and scan.first_tag ~= "P" and scan.first_tag ~= "F"
    facts.partial = false
    if scan.cri_lines > 0 then
      facts.partial = scan.last_tag == "P"
    elseif has_tag_key then
      local piece = cfg.partial_piece_bytes
      facts.partial = tag_key_is_p and piece > 0 and #log > 0 and #log % piece == 0
    elseif has_time and has_stream then
      facts.partial = not scan.ends_with_newline and #log > 0
    end
    facts.mixed = (scan.saw_stdout and scan.saw_stderr) or
      (record_stream ~= nil and scan.cri_lines > 0 and (record_stream == "stderr" and scan.saw_stdout or record_stream == "stdout" and scan.saw_stderr))
  end

  local changed = false
  if mode % 8 >= REWRITE and has_log then
    local split = cfg.split_raw and scan.first_is_cri
    record[cfg.log_key] = message_text(log, scan, split, cfg.repair_glued and facts.glued)
    if split then
      if not has_stream then record[cfg.stream_key] = scan.first_stream end
      if not has_tag_key then record[cfg.tag_key] = scan.first_tag end
    end
    if scan.first_is_cri and cfg.raw_key ~= "" then record[cfg.raw_key] = log end
    changed = true
  end
  if mode % 2 >= TIMESTAMP and ok then
    record[cfg.timestamp_key] = format_time(sec, nsec)
    changed = true
  end
  local new_ts = nil
  -- An event time holds seconds from 1970 as an unsigned 32-bit number: a time before 1970 or
  -- from 2106-02-07T06:28:16Z on would wrap (2.x) or fail the whole batch (5.x), so it is only
  -- flagged (docs/fluent-bit-facts.md, "Event time range").
  local event_time_range = mode % 4 >= EVENT_TIME and ok and (sec < 0 or sec >= 4294967296)
  if mode % 4 >= EVENT_TIME and ok and not event_time_range then
    -- Where the wasm filter writes a key for a parser filter, Lua sets the event time itself.
    record[cfg.event_time_key] = nil
    new_ts = { sec = sec, nsec = nsec }
  end
  if cfg.kube then
    local meta = kube_metadata(tag)
    if meta then record[cfg.kube_key] = meta changed = true end
  end
  -- The record id needs the written time: without it, equal messages would share an id.
  if cfg.id_key ~= "" and mode % 8 >= REWRITE and ok and has_log then
    local st = record[cfg.stream_key]
    st = type(st) == "string" and (st == "stderr" and "stderr" or "stdout") or nil
    record[cfg.id_key] = record_id(tag, sec, nsec, st, record[cfg.log_key])
    changed = true
  end

  if mode >= CHECK then
    check = nil
    if not ok then put("time_error", status == "empty" and ((has_log or has_time) and "no_time" or "no_log") or status) end
    if scan then
      if scan.first_has_time and not scan.first_is_cri then put("not_cri", scan.first_cri_status) end
      if facts.unknown_tag then put("unknown_tag", true) end
      if scan.first_is_cri and scan.first_more_tags then put("other_tags", scan.first_more_tags) end
      if facts.partial then put("partial", true) end
      if facts.glued then put("raw_lines", scan.cri_lines) end
      if facts.several then put("messages", scan.message_starts) end
      if facts.glued or facts.several then put("lines", scan.lines) put("bytes", #log) end
      if facts.mixed then put("mixed_streams", true) end
      if facts.glued and scan.max_ms - scan.min_ms > cfg.span_ms then put("span_ms", scan.max_ms - scan.min_ms) end
      if facts.continuation then put("continuation_start", true) end
    end
    if event_time_range then put("event_time_out_of_range", true) end
    if ok then
      -- Event time minus recovered time: the late or stuck timestamp symptom.
      -- In whole milliseconds, truncated toward zero, without forming the nanosecond total (it
      -- passes 2^53, where a Lua number stops being exact).
      local ds, dn = ts.sec - sec, ts.nsec - nsec
      local drift_ms
      if ds > 0 or (ds == 0 and dn >= 0) then drift_ms = ds * 1000 + floor(dn / 1000000)
      else drift_ms = ds * 1000 - floor(-dn / 1000000) end
      if drift_ms >= cfg.drift_ms or -drift_ms >= cfg.drift_ms then put("drift_ms", drift_ms) end
    end
    if record[cfg.check_key] ~= nil then record[cfg.check_key] = nil changed = true end
    if check then record[cfg.check_key] = check check = nil changed = true end
  end

  if new_ts then
    if ts_is_number then return 1, new_ts.sec + new_ts.nsec / 1e9, record end
    return 1, new_ts, record
  end
  -- The timestamp goes back as it came for codes 0 and 2 too: with Time_as_Table On, Fluent Bit
  -- reads it as a table whatever the code, and anything else makes it fail the record (and, on
  -- 5.x, the whole batch): docs/fluent-bit-facts.md, "Lua filter".
  if changed then return 2, ts, record end -- 2: the record changed, the time is kept
  return 0, ts, record
end

-- The entry points, named as in the wasm module (Call in the [FILTER] section).
function cri_timestamp(tag, ts, record) return filter(TIMESTAMP + REWRITE + CHECK, tag, ts, record) end
function cri_event_time(tag, ts, record) return filter(EVENT_TIME + REWRITE + CHECK, tag, ts, record) end
function cri_timestamp_and_event_time(tag, ts, record) return filter(TIMESTAMP + EVENT_TIME + REWRITE + CHECK, tag, ts, record) end
function cri_check(tag, ts, record) return filter(CHECK, tag, ts, record) end

-- The exact stage after the wasm filter's `cri_event_time` (in place of the parser filter): makes
-- `_event_time` the event time to the nanosecond and removes the key. Fluent Bit's parser filter
-- reads the fraction through a double and gives 1 ns less for about 1.7% of nanosecond values
-- (docs/fluent-bit-facts.md, "Parser filter"); integers here lose nothing. A record without the
-- key, or whose key holds no time the event time can hold, passes as it came.
function set_event_time(tag, ts, record)
  local v = record[settings.event_time_key]
  if type(v) ~= "string" then return 0, ts, record end
  local err, sec, nsec, at = parse_time(v, 1, #v)
  if err or at <= #v or sec < 0 or sec >= 4294967296 then return 0, ts, record end
  record[settings.event_time_key] = nil
  return 1, { sec = sec, nsec = nsec }, record
end

-- For tests and tools that load the script with dofile(): the settings table.
return settings

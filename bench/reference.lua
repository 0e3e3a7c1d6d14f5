-- The reference: the kind of Lua filter users write today to give each record its CRI write
-- time (the benchmark's yardstick, not a shipped filter). It splits a raw CRI line in `log`
-- (`<time> <stream> <tag> <message>`) with one pattern, turns the UTC time into epoch seconds and
-- nanoseconds, and makes that the event time. No offsets, no validation, no diagnostics.
local match, tonumber, floor, sub = string.match, tonumber, math.floor, string.sub

-- Days from 1970-01-01 to a civil date (proleptic Gregorian).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = m > 2 and m - 3 or m + 9
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

function cri_time(tag, ts, record)
  local log = record.log
  if type(log) ~= "string" then return 0, ts, record end
  local y, mo, d, h, mi, s, frac, stream, p, message =
    match(log, "^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)%.?(%d*)Z (%a+) (%a) (.*)$")
  if not y then return 0, ts, record end
  local sec = days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)
  local nsec = frac ~= "" and tonumber(sub(frac .. "000000000", 1, 9)) or 0
  record.log, record.stream, record._p = message, stream, p
  return 1, { sec = sec, nsec = nsec }, record
end

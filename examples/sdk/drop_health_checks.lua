-- The Lua filter that does what drop_health_checks.ts does: drop a record whose `log` holds
-- "GET /healthz", keep the others as they came.
function drop_health_checks(tag, timestamp, record)
  local log = record["log"]
  if type(log) == "string" and string.find(log, "GET /healthz", 1, true) then
    return -1, timestamp, record
  end
  return 0, timestamp, record
end

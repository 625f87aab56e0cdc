-- wrk script: every request POSTs a TAXII envelope of 100 new indicators (unique ids per
-- thread and request, so each request stores 100 object versions).
local counter = 0
local next_tag = 0

-- Runs in wrk's main Lua state; thread:set makes `thread_tag` a global of that thread's state.
function setup(thread)
  next_tag = next_tag + 1
  thread:set("thread_tag", next_tag)
end

-- RFC 4122 version 4 layout (xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx) from a counter and the
-- thread's tag; wrk runs LuaJIT (Lua 5.1), so no integer division operator.
-- The run's start time keeps ids of successive runs against one database apart.
local run_tag = os.time() % 0x1000

local function uuid(n, tag)
  return string.format("%08x-%04x-4%03x-8%03x-%012x", n % 0x100000000, tag % 0x10000,
                       run_tag, tag % 0x1000, n)
end

function request()
  counter = counter + 1
  local parts = {}
  for i = 1, 100 do
    local id = "indicator--" .. uuid(counter * 100 + i, thread_tag or 0)
    parts[i] = string.format(
      '{"type":"indicator","spec_version":"2.1","id":"%s",' ..
      '"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",' ..
      '"name":"bench","pattern":"[ipv4-addr:value = \'198.51.100.%d\']",' ..
      '"pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z",' ..
      '"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}',
      id, i % 250)
  end
  local body = '{"objects":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
  if status ~= 202 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end

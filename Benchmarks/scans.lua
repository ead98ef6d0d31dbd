-- wrk script: staff stations posting scans to POST /api/v1/scans over keep-alive connections.
--
--   wrk -t2 -c64 -d20s --latency -s Benchmarks/scans.lua http://127.0.0.1:PORT -- PLACE_ID BEARER_KEY
--   wrk -t1 -c64 -d10s --latency -s Benchmarks/scans.lua http://127.0.0.1:PORT -- @doors.txt
--
-- PLACE_ID and BEARER_KEY may also come from the environment (RAVAO_PLACE_ID, RAVAO_KEY); the key is
-- a device key, or any bearer token with a role at the place. "@FILE" names a file of "PLACE_ID KEY"
-- lines instead: many doors at once (each a place with its own kiosk key); every request goes to one
-- of them at random.
--
-- With RAVAO_LEDGER_DIR set, each thread writes the checkInId of every 201 answer it read to
-- RAVAO_LEDGER_DIR/ledger-N.txt (one a line), so the caller can check each one is a row.
--
-- Every request carries a fresh UUIDv4 clientId (a random prefix per thread, seeded from
-- /dev/urandom so threads never share one, then a counter) and the CCCD card QR of one of POOL people
-- (a deterministic pool, the same in every thread: the first scans of a person create them, later
-- ones match them). Half the scans are "in", half "out"; scannedAt is left to the server.
--
-- done() prints the answers by status. 201 is a new check-in, 200 an answer marked duplicate (a
-- clientId seen before: with random clientIds there should be none); anything else is a failure and
-- is printed in a banner. The lines starting with "ravao:" are read by run-scans.sh.

local POOL = tonumber(os.getenv("RAVAO_POOL") or "10000")

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_number", counter)
   table.insert(threads, thread)
end

-- Thread state (each wrk thread has a Lua state of its own) --------------------------------------

-- The counts are globals: done() reads them with thread:get, which sees only globals.
created, duplicate, failed = 0, 0, 0
by_status = {}      -- status code -> count, for the non-2xx ones
first_failure = nil -- status and body of the first non-2xx answer

local doors = {}     -- { {place_id, headers}, ... }
local payloads = {}
local ledger = nil   -- this thread's ledger file, when RAVAO_LEDGER_DIR is set

local function urandom_seed()
   local f = io.open("/dev/urandom", "rb")
   local seed = 0
   if f then
      local bytes = f:read(6)
      f:close()
      for i = 1, #bytes do seed = seed * 256 + bytes:byte(i) end
   end
   -- The thread number and the clock keep threads apart even without /dev/urandom.
   return seed + (thread_number or 0) * 7919 + os.time()
end

local family = { "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý" }
local middle = { "Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Đức", "Thu", "Quang", "Hồng" }
local given  = { "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai",
                 "Nam", "Ngân", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tú", "Tuấn", "Vy", "Yến" }
local streets = { "Lê Duẩn", "Trần Phú", "Bạch Đằng", "Hùng Vương", "Nguyễn Văn Linh", "Phan Châu Trinh", "Điện Biên Phủ" }

-- The card QR of person i (0-based): a CCCD number (12 digits, province 048 Đà Nẵng or 079 TP. HCM)
-- and the 7 fields FORMATS.md §2 describes. Dates are always real dates (day 1–28).
local function make_payload(i)
   local province = (i % 2 == 0) and "048" or "079"
   local number = string.format("%s%09d", province, 100000000 + i)
   local name = family[i % #family + 1] .. " " .. middle[math.floor(i / 16) % #middle + 1] .. " " .. given[math.floor(i / 160) % #given + 1]
   local birth = string.format("%02d%02d%04d", i % 28 + 1, math.floor(i / 28) % 12 + 1, 1950 + i % 55)
   local gender = (i % 3 == 0) and "Nữ" or "Nam"
   local address = string.format("Số %d %s, Đà Nẵng", i % 300 + 1, streets[i % #streets + 1])
   local issued = string.format("%02d%02d%04d", i % 27 + 1, i % 12 + 1, 2016 + i % 9)
   local cmnd = (i % 4 == 0) and "" or string.format("%09d", 200000000 + i)
   return table.concat({ number, cmnd, name, birth, gender, address, issued }, "|")
end

local hex = "0123456789abcdef"
local function hex_digits(n)
   local out = {}
   for k = 1, n do
      local v = math.random(1, 16)
      out[k] = hex:sub(v, v)
   end
   return table.concat(out)
end

-- A random UUIDv4 prefix per thread, then a counter in the last 12 hex digits: every clientId is
-- still unique (74 random bits keep threads and runs apart) and a valid UUIDv4, for a quarter less of
-- the client's CPU a request (20 µs → 15 on this machine, wrk with this script against the bare
-- server): wrk runs on the same two cores as the server it measures.
local variants = { "8", "9", "a", "b" }
local uuid_prefix, uuid_count = nil, 0
local function uuid4()
   uuid_count = uuid_count + 1
   return uuid_prefix .. string.format("%012x", uuid_count)
end

function init(args)
   math.randomseed(urandom_seed())
   -- Burn a few values: LuaJIT's generator is weak right after seeding.
   for _ = 1, 20 do math.random() end
   uuid_prefix = hex_digits(8) .. "-" .. hex_digits(4) .. "-4" .. hex_digits(3) .. "-" .. variants[math.random(1, 4)] .. hex_digits(3) .. "-"
   local pairs_ = {}
   if args[1] and args[1]:sub(1, 1) == "@" then
      for line in io.lines(args[1]:sub(2)) do
         local p, k = line:match("^(%S+)%s+(%S+)")
         if p then table.insert(pairs_, { p, k }) end
      end
   else
      local p = args[1] or os.getenv("RAVAO_PLACE_ID")
      local k = args[2] or os.getenv("RAVAO_KEY")
      if p and k then pairs_ = { { p, k } } end
   end
   if #pairs_ == 0 then
      io.stderr:write("scans.lua: pass PLACE_ID and BEARER_KEY (or @FILE) after --, or set RAVAO_PLACE_ID and RAVAO_KEY\n")
      os.exit(2)
   end
   for _, pk in ipairs(pairs_) do
      table.insert(doors, { pk[1], { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. pk[2] } })
   end
   for i = 0, POOL - 1 do payloads[i + 1] = make_payload(i) end
   local dir = os.getenv("RAVAO_LEDGER_DIR")
   if dir and dir ~= "" then
      ledger = io.open(string.format("%s/ledger-%d.txt", dir, thread_number or 0), "w")
      ledger:setvbuf("full")
   end
end

function request()
   local door = doors[math.random(1, #doors)]
   local payload = payloads[math.random(1, POOL)]
   local direction = (math.random(1, 2) == 1) and "in" or "out"
   -- The payloads hold no characters JSON needs escaped (no quote, backslash or control character).
   local body = '{"placeId":"' .. door[1] .. '","payload":"' .. payload .. '","direction":"' .. direction ..
                '","clientId":"' .. uuid4() .. '"}'
   return wrk.format("POST", "/api/v1/scans", door[2], body)
end

function response(status, _, body)
   if status == 201 then
      created = created + 1
      if ledger then
         -- The buffer is written out when wrk exits (C stdio flushes open files at exit).
         ledger:write((body or ""):match('"checkInId":"([^"]+)"') or "?", "\n")
      end
   elseif status == 200 then
      duplicate = duplicate + 1
   else
      failed = failed + 1
      by_status[status] = (by_status[status] or 0) + 1
      if not first_failure then first_failure = tostring(status) .. " " .. string.sub(body or "", 1, 300) end
   end
end

-- Main state: gather the threads' counts ------------------------------------------------------------

function done(summary, latency, requests)
   local total_created, total_duplicate, total_failed = 0, 0, 0
   local statuses = {}
   local sample = nil
   for _, thread in ipairs(threads) do
      total_created = total_created + (thread:get("created") or 0)
      total_duplicate = total_duplicate + (thread:get("duplicate") or 0)
      total_failed = total_failed + (thread:get("failed") or 0)
      local s = thread:get("by_status") or {}
      for code, n in pairs(s) do statuses[code] = (statuses[code] or 0) + n end
      sample = sample or thread:get("first_failure")
   end
   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   io.write("\n")
   io.write(string.format("ravao: created=%d duplicate=%d non2xx=%d socket_errors=%d timeouts=%d requests=%d\n",
      total_created, total_duplicate, total_failed, socket_errors, e.timeout, summary.requests))
   if total_failed > 0 or socket_errors > 0 then
      io.write("ravao: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n")
      io.write(string.format("ravao: !!! %d SCANS FAILED (non-2xx) and %d socket errors (connect %d, read %d, write %d, timeout %d)\n",
         total_failed, socket_errors, e.connect, e.read, e.write, e.timeout))
      for code, n in pairs(statuses) do io.write(string.format("ravao: !!!   status %s: %d\n", tostring(code), n)) end
      if sample then io.write("ravao: !!!   first failure: " .. sample .. "\n") end
      io.write("ravao: !!! THE FIGURES ABOVE INCLUDE FAILED REQUESTS; DO NOT QUOTE THEM AS THROUGHPUT\n")
      io.write("ravao: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n")
   end
   if total_duplicate > 0 then
      io.write(string.format("ravao: note: %d answers were duplicates (200); fresh random clientIds should give none\n", total_duplicate))
   end
end

-- small programs over the string, table and math libraries together, as scripts use them
-- word frequencies
local text = [[the quick brown fox jumps over the lazy dog; The dog sleeps. the END]]
local freq = {}
for w in text:lower():gmatch("%a+") do freq[w] = (freq[w] or 0) + 1 end
local words = {}
for w in pairs(freq) do words[#words + 1] = w end
table.sort(words, function(a, b) if freq[a] ~= freq[b] then return freq[a] > freq[b] end return a < b end)
for i = 1, 5 do print(words[i], freq[words[i]]) end
-- CSV split with empty fields
local function split(s, sep)
  local out = {}
  for field in (s .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do out[#out + 1] = field end
  return out
end
local row = split("a,,b c,42,", ",")
print(#row, table.concat(row, "|"))
print(table.concat(split("1.5;2;;x", ";"), "/"))
-- a key:value serializer with %q and sorted keys
local function ser(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    local vs = type(v) == "string" and string.format("%q", v) or tostring(v)
    parts[#parts + 1] = string.format("[%s]=%s", type(k) == "string" and string.format("%q", k) or tostring(k), vs)
  end
  return "{" .. table.concat(parts, ",") .. "}"
end
print(ser({name = "x\"y", n = 3.5, [1] = true, [2] = "two\nlines", flag = false}))
-- number formatting as rate limiters and queues print them
for _, v in ipairs({0, 1, -1, 0.1, 1/3, 2/3, 1e15, 1e16, 123456789012, 2^53, -2^31, 1e-7, 100 / 3}) do
  print(v, string.format("%.2f", v), string.format("%d", v), string.format("%g", v), string.format("%10.4e", v), math.floor(v + 0.5))
end
-- template substitution with a function and a table
local tpl = "Hello ${name}, you have ${n} new ${what}!"
local vars = {name = "Ann", n = 3}
print((tpl:gsub("%${(%w+)}", function(k) return vars[k] and tostring(vars[k]) end)))
print((tpl:gsub("%${(%w+)}", vars)))
-- a tiny tokenizer
local src = "x = 3.14 * (y + 42) -- done"
local toks = {}
local pos = 1
while pos <= #src do
  local s, e = src:find("^%s+", pos)
  if s then pos = e + 1 else
    local num = src:match("^%d+%.?%d*", pos)
    local id = src:match("^[%a_][%w_]*", pos)
    local op = src:match("^%-%-.*", pos) or src:match("^[%p]", pos)
    local tok = num or id or op
    toks[#toks + 1] = (num and "N:" or id and "I:" or "O:") .. tok
    pos = pos + #tok
  end
end
print(table.concat(toks, " "))
-- stable-looking sort of records by two keys
local recs = {}
for i = 1, 12 do recs[i] = {prio = i % 3, id = string.format("job%02d", (i * 5) % 13)} end
table.sort(recs, function(a, b) if a.prio ~= b.prio then return a.prio < b.prio end return a.id < b.id end)
local ids = {}
for i, r in ipairs(recs) do ids[i] = r.prio .. r.id end
print(table.concat(ids, " "))
-- queue operations with insert/remove
local q = {}
for i = 1, 5 do table.insert(q, i * i) end
table.insert(q, 1, 0)
print(table.remove(q, 1), table.remove(q), #q, table.concat(q, ","))
-- statistics with math
local xs = {}
for i = 1, 20 do xs[i] = math.sin(i) * 10 + i end
local sum, mn, mx = 0, math.huge, -math.huge
for _, x in ipairs(xs) do sum = sum + x mn = math.min(mn, x) mx = math.max(mx, x) end
local mean = sum / #xs
local var = 0
for _, x in ipairs(xs) do var = var + (x - mean) ^ 2 end
print(mean, math.sqrt(var / #xs), mn, mx, string.format("%.3f", mean))
-- hex and byte manipulation
local function tohex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function fromhex(h) return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)) end
local raw = "\1\2\255abc"
print(tohex(raw), fromhex(tohex(raw)) == raw, #fromhex("00ff10"))
print(string.rep("=", 20), ("%5s|%-5s|"):format("ab", "cd"), ("abc"):rep(3, ","))

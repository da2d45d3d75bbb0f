-- table library: insert remove concat getn setn maxn foreach foreachi sort (Lua's quicksort), errors
local function dump(t, n)
  local out = {}
  for i = 1, n or #t do out[#out + 1] = tostring(t[i]) end
  return table.concat(out, ',')
end
local function try(f, ...)
  local ok, e = pcall(f, ...)
  print(ok, e)
end
local t = {1, 2, 3}
table.insert(t, 4) print(dump(t))
table.insert(t, 1, 0) print(dump(t))
table.insert(t, 3, "x") print(dump(t))
table.insert(t, 9, "far") print(dump(t, 9), #t == 6 or #t == 9)
local u = {}
table.insert(u, "a") table.insert(u, "b") print(dump(u))
try(function() table.insert({}, 1, 2, 3) end)
try(function() table.insert({}) end)
try(function() table.insert(nil, 1) end)
try(function() table.insert({}, "x", 1) end)
local r = {1, 2, 3, 4}
print(table.remove(r), dump(r))
print(table.remove(r, 1), dump(r))
print(table.remove(r, 5), select('#', table.remove(r, 5)), dump(r))
print(select('#', table.remove({})), table.remove({}, 1))
try(function() return table.remove() end)
try(function() return table.remove({}, "x") end)
print(table.concat({1, 2, 3}), table.concat({1, 2, 3}, ", "), table.concat({"a", "b", "c"}, "-", 2), table.concat({"a", "b", "c"}, "-", 2, 3))
print(table.concat({}, "x"), table.concat({1, 2}, "x", 3), table.concat({1, 2.5, "s"}, " "), table.concat({1, 2}, 3))
try(function() return table.concat({1, {}, 3}) end)
try(function() return table.concat({1, 2}, "", 1, 3) end)
try(function() return table.concat(nil, {}) end)
try(function() return table.concat({}, {}) end)
try(function() return table.concat() end)
print(table.getn({1, 2, 3}), table.getn({}), table.getn({n = 5}), table.getn({1, 2, nil, 4}) >= 2)
try(function() return table.getn(5) end)
try(function() return table.setn({}, 1) end)
print(table.maxn({1, 2, 3}), table.maxn({}), table.maxn({[10] = 1, [2.5] = 1, x = 1, [-4] = 1}), table.maxn({[-1] = 1}))
try(function() return table.maxn() end)
print(table.foreachi({10, 20, 30}, function(i, v) if v == 20 then return i * 100 end end))
print(table.foreachi({10, 20}, function(i, v) end))
print(table.foreachi({1, 2, 3}, function(i) if i == 2 then return false end end))
local seen = 0
print(table.foreach({a = 1, b = 2, c = 3}, function(k, v) seen = seen + v end), seen)
print(table.foreach({x = 5}, function(k, v) return k .. v end))
try(function() return table.foreach({}, 1) end)
try(function() return table.foreachi() end)
local s = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0}
table.sort(s) print(dump(s))
table.sort(s, function(a, b) return a > b end) print(dump(s))
local words = {"pear", "Apple", "banana", "apple", "Cherry", "a", ""}
table.sort(words) print(dump(words))
local recs = {}
for i = 1, 30 do recs[i] = {k = (i * 7) % 5, i = i} end
table.sort(recs, function(a, b) return a.k < b.k end)
local o = {}
for i = 1, 30 do o[i] = recs[i].k .. ':' .. recs[i].i end
print(table.concat(o, ' '))
local big = {}
for i = 1, 200 do big[i] = (i * 37) % 101 end
table.sort(big) print(big[1], big[100], big[200])
local c = 0
local junk = {}
for i = 1, 50 do junk[i] = (i * 13) % 17 end
print(pcall(table.sort, junk, function(a, b) c = c + 1 return c % 3 == 0 end))
print(dump(junk))
try(function() table.sort({3, 1, 2}, function(a, b) return true end) end)
try(function() local x = {} for i = 1, 20 do x[i] = i end table.sort(x, function(a, b) return true end) end)
try(function() table.sort({1, 1, 1, 1, 1, 1}, function(a, b) return a <= b end) end)
try(function() table.sort({3, 1, "x"}) end)
try(function() table.sort({3, {}, 1}) end)
try(function() table.sort({{}, {}}) end)
try(function() table.sort({1, 2}, 5) end)
try(function() table.sort() end)
local mt = {__lt = function(a, b) return a.v < b.v end}
local objs = {}
for i, v in ipairs({4, 2, 9, 1}) do objs[i] = setmetatable({v = v}, mt) end
table.sort(objs)
print(objs[1].v, objs[2].v, objs[3].v, objs[4].v)
table.sort({}) table.sort({1})
print("done")

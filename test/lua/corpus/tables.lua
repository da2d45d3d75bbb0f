-- table constructors, lengths, indexing, nil/NaN keys, next/pairs order of arrays
local t = {1, 2, 3, x = "a", ["y z"] = "b", [10] = "ten", 4}
print(#t, t[4], t.x, t["y z"], t[10])
local u = {[1] = "a", "b"}
print(u[1], #u)
local v = {"b", [1] = "a"}
print(v[1])
print(#{1, 2, nil}, #{nil, nil, 3}, #{1, nil, 3})
local function three() return 1, 2, 3 end
print(#{three()}, #{three(), three()}, #{(three())}, #{three(), 10})
local w = {}
w[1] = 1 w[2] = 2 w[3] = 3
print(#w)
w[3] = nil
print(#w)
local ok, err = pcall(function() local q = {} q[nil] = 1 end)
print(ok, err)
ok, err = pcall(function() local q = {} q[0/0] = 1 end)
print(ok, err)
ok, err = pcall(function() return {[nil] = 1} end)
print(ok, err)
print(({})[nil], rawget({}, 1))
local s = {}
for i = 1, 10 do s[i] = i * i end
local sum = 0
for i, v2 in ipairs(s) do sum = sum + v2 end
print(sum, #s)
local keys = 0
for k, v2 in pairs(s) do keys = keys + k end
print(keys)
local nested = {a = {b = {c = 42}}}
print(nested.a.b.c, nested["a"]["b"]["c"])
local m = {}
m[1.0] = "float one"
print(m[1])
m[2^53] = "big"
print(m[2^53])
m["1"] = "string one"
print(m[1], m["1"])
local tt = {true, false}
print(tt[1], tt[2], #tt)
local n = {n = nil}
print(next(n))
print(next({}, nil))
local p = {10, 20}
print(next(p))
print(next(p, 1))
print(next(p, 2))
print(pcall(next, p, 3))
print(rawequal(p, p), rawequal(p, {}), rawequal(1, 1.0), rawequal("a", "a"))
print(rawset(p, 3, 30) == p, rawget(p, 3))
print(unpack({1, 2, 3}))
print(unpack({1, 2, 3}, 2))
print(unpack({1, 2, 3}, 2, 5))
print(unpack({}, 1, 0))
print(select('#', unpack({}, 1, 3)))
local arr = {}
for i = 1, 5 do arr[#arr + 1] = i end
print(#arr, arr[1], arr[5])
local del = {1, 2, 3}
del[#del] = nil
print(#del)
local holes = {}
holes[2] = 2
print(#holes, holes[2])
local str = {}
str.x, str.y = 1, 2
print(str.x, str.y)
local a, b, c = (function() return 1, 2 end)()
print(a, b, c)
local i = 1
local arr2 = {}
i, arr2[i] = i + 1, 20
print(i, arr2[1], arr2[2])
local x, y = 1, 2
x, y = y, x
print(x, y)

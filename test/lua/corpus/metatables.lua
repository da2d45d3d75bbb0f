-- metamethods of Lua 5.1
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__sub = function(a, b) return setmetatable({x = a.x - b.x}, V) end
V.__mul = function(a, b) if type(b) == "number" then return setmetatable({x = a.x * b}, V) end return a.x * b.x end
V.__div = function(a, b) return "div" end
V.__mod = function(a, b) return "mod" end
V.__pow = function(a, b) return "pow" end
V.__unm = function(a) return setmetatable({x = -a.x}, V) end
V.__concat = function(a, b)
  local ax = type(a) == "table" and a.x or a
  local bx = type(b) == "table" and b.x or b
  return "cat(" .. tostring(ax) .. "," .. tostring(bx) .. ")"
end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__tostring = function(a) return "V(" .. a.x .. ")" end
V.__call = function(self, y) return self.x + y end
V.__len = function() return 99 end
function V.new(x) return setmetatable({x = x}, V) end
function V:double() return V.new(self.x * 2) end
local a, b = V.new(1), V.new(2)
print(tostring(a + b), tostring(a - b), a * b, tostring(a * 3), a / b, a % b, a ^ b, tostring(-a))
print(a .. b, a .. "s", "s" .. a, 1 .. a)
print(a == b, a == V.new(1), a ~= V.new(1), a < b, a <= b, a > b, a >= b)
print(a(10), #a, tostring(a:double()))
local W = {__eq = function() return true end}
local w1, w2 = setmetatable({}, W), setmetatable({}, W)
print(w1 == w2, w1 == a)
local onlylt = {__lt = function(x, y) return x.v < y.v end}
local p, q = setmetatable({v = 1}, onlylt), setmetatable({v = 2}, onlylt)
print(p <= q, q <= p, p >= q)
-- __index chains and functions
local base = {greet = function() return "hi" end, val = 1}
local mid = setmetatable({}, {__index = base})
local top = setmetatable({}, {__index = mid})
print(top.greet(), top.val, top.none, rawget(top, "val"))
local calls = 0
local lazy = setmetatable({}, {__index = function(t, k) calls = calls + 1 return k .. "!" end})
print(lazy.foo, lazy[1], calls)
-- __newindex
local log = {}
local guarded = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k rawset(t, k, v * 2) end})
guarded.a = 1 guarded.a = 5 guarded.b = 2
print(guarded.a, guarded.b, #log)
local store = {}
local proxy = setmetatable({}, {__newindex = store})
proxy.x = 10
print(rawget(proxy, "x"), store.x)
-- __metatable
local locked = setmetatable({}, {__metatable = "locked"})
print(getmetatable(locked), pcall(setmetatable, locked, {}))
print(getmetatable("abc").__index == string, getmetatable(1), getmetatable({}))
-- __tostring used by print and tostring
local T = setmetatable({}, {__tostring = function() return "custom" end})
print(T, tostring(T))
-- a string metatable method
print(("abc"):upper(), ("x"):rep(3, ","))
-- setmetatable errors
print(pcall(setmetatable, 1, {}))
print(pcall(setmetatable, {}, 1))
print(select('#', setmetatable({}, nil)))
-- metamethods on numbers-as-strings
print("10" + 1, "3" * "4", 10 .. "", pcall(function() return "a" + 1 end))
-- __index on missing method with error naming
local obj = setmetatable({}, {__index = {}})
print(pcall(function() return obj:nomethod() end))
-- __eq is not used for different types or rawequal
print(rawequal(a, V.new(1)), a == 1)
-- __lt between different types
print(pcall(function() return a < 1 end))
print(pcall(function() return {} < {} end))
-- __concat with numbers
local C = setmetatable({}, {__concat = function(x, y) return "C" end})
print(C .. 1, 1 .. C, C .. C)
-- __unm, __len on tables (5.1 ignores __len for tables)
print(#setmetatable({1, 2}, {__len = function() return 42 end}))
-- __call with varargs
local callable = setmetatable({}, {__call = function(self, ...) return select('#', ...), ... end})
print(callable(1, 2, 3))
-- inheritance
local Animal = {} Animal.__index = Animal
function Animal.new(name) return setmetatable({name = name}, Animal) end
function Animal:speak() return self.name .. " makes a sound" end
local Dog = setmetatable({}, {__index = Animal}) Dog.__index = Dog
function Dog.new(name) local d = Animal.new(name) return setmetatable(d, Dog) end
function Dog:speak() return self.name .. " barks" end
print(Animal.new("cat"):speak(), Dog.new("rex"):speak())
-- loop in gettable
local loop = {}
setmetatable(loop, {__index = loop})
print(pcall(function() return loop.x end))

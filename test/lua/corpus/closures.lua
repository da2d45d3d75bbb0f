-- closures, upvalues, per-iteration locals, recursion, varargs
local function counter()
  local c = 0
  return function() c = c + 1 return c end
end
local c1, c2 = counter(), counter()
print(c1(), c1(), c1(), c2())
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
print(fs[1](), fs[2](), fs[3]())
local gs = {}
local j = 0
while j < 3 do j = j + 1 local k = j gs[j] = function() return k end end
print(gs[1](), gs[2](), gs[3]())
local hs = {}
for _, v in ipairs({"a", "b"}) do hs[#hs + 1] = function() return v end end
print(hs[1](), hs[2]())
local function shared()
  local x = 0
  return function() x = x + 1 return x end, function() return x end
end
local inc, get = shared()
inc() inc()
print(get())
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(10), fact(20))
local function va(...) return select('#', ...), ... end
print(va())
print(va(nil, nil))
print(va(1, nil, 3))
local function pass(...) local a, b = ... return a, b, ... end
print(pass(1, 2, 3))
local function tail(...) return ... end
print(tail(1, 2), tail(3, 4))
print((tail(1, 2)))
local t = {tail(1, 2), tail(3, 4)}
print(#t, t[1], t[2], t[3])
local function argcompat(...) return arg and arg.n, arg and arg[1] end
print(argcompat(7, 8))
local function usesdots(...) local n = select('#', ...) return arg, n end
print(usesdots(1))
local x = 1
local function f() x = x + 1 return 10 end
print(x + f(), x)
local y = 1
local function g() y = 100 return 1 end
print(y, g())
local mt = {}
function mt.new(v) return {v = v, get = function(self) return self.v end} end
local o = mt.new(5)
print(o:get(), o.get(o))
local obj = {n = 0}
function obj:add(k) self.n = self.n + k return self end
print(obj:add(2):add(3).n)
local a = {b = {c = {}}}
function a.b.c.d() return "deep" end
function a.b.c:e() return self == a.b.c end
print(a.b.c.d(), a.b.c:e())
local function rec(n) if n == 0 then return "bottom" end return rec(n - 1) end
print(rec(100))
print(select(2, "a", "b", "c"), select(-1, "a", "b", "c"), select('#'))
print(pcall(function() return select(0, 1) end))

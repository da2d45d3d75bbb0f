-- the coroutine library
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got2", d, e)
  return "done", 99
end)
print(type(co), coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, "x", "y"))
print(coroutine.status(co))
print(coroutine.resume(co))
-- generators via wrap
local function range(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local s = 0
for i in range(10) do s = s + i end
print("sum", s)
-- errors inside coroutines
local bad = coroutine.create(function() error("oops") end)
print(coroutine.resume(bad))
print(coroutine.status(bad))
local bad2 = coroutine.create(function() error({}) end)
local ok, e = coroutine.resume(bad2)
print(ok, type(e))
local w = coroutine.wrap(function() error("wrapped") end)
print(pcall(w))
local w2 = coroutine.wrap(function() local x = nil return x.y end)
print(pcall(w2))
-- status from inside, running
local me
me = coroutine.create(function()
  print("inside", coroutine.status(me), coroutine.running() == me)
  coroutine.yield()
end)
coroutine.resume(me)
print(coroutine.running())
-- resume non-suspended / dead
print(coroutine.resume(me))
print(coroutine.resume(me))
local outer
outer = coroutine.create(function()
  local inner = coroutine.create(function() print("outer is", coroutine.status(outer)) return coroutine.resume(outer) end)
  print(coroutine.resume(inner))
end)
coroutine.resume(outer)
-- yield across pcall
local pc = coroutine.create(function()
  local ok2, v = pcall(function() local x = coroutine.yield(1) return x * 2 end)
  coroutine.yield(ok2, v)
  return "end"
end)
print(coroutine.resume(pc))
print(coroutine.resume(pc, 21))
print(coroutine.resume(pc))
-- many values
local mv = coroutine.wrap(function(...) local a = {...} coroutine.yield(select('#', ...), ...) return #a end)
print(mv(1, nil, 3))
print(mv())
-- argument errors
print(pcall(coroutine.create, 1))
print(pcall(coroutine.create, print))
print(pcall(coroutine.resume, 1))
print(pcall(coroutine.status, nil))
-- producer/consumer
local producer = coroutine.create(function()
  for _, v in ipairs({"a", "b", "c"}) do coroutine.yield(v) end
end)
local out = ""
while true do
  local ok3, v = coroutine.resume(producer)
  if not v then break end
  out = out .. v
end
print(out, coroutine.status(producer))
-- a long loop inside a coroutine (runs across step budgets)
local long = coroutine.wrap(function() local n = 0 for i = 1, 300000 do n = n + 1 end coroutine.yield(n) return "fin" end)
print(long(), long())

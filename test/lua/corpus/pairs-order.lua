-- pairs/next order: Lua 5.1's node layout (src/lua/layout.ts), tables built by constructors and insertions
local function show(t) local o = {} for k, v in pairs(t) do o[#o+1] = tostring(k) .. '=' .. tostring(v) end print(table.concat(o, ' ')) end
show({a=1,b=2,c=3})
local t = {} t.a=1 t.b=2 t.c=3 show(t)
local t = {} for i, w in ipairs({'x','y','z','w','foo','bar','baz','qux','hello','world','redis','lua'}) do t[w] = i end show(t)
show({1,2,3,x=1,y=2})
local t = {1,2,3} t.name='n' t.id=5 t[10]=7 t[2.5]=1 t[-1]=2 t[true]=3 show(t)
local t = {} for i = 1, 20 do t['k'..i] = i end show(t)
local t = {} for i = 1, 20 do t[i*3] = i end show(t)
local t = {} for i = 1, 30 do t[(i*7919) % 101 + 0.5] = i end show(t)
show({jobId='1', name='n', data='{}', opts='x', timestamp=123, delay=0, priority=0})
local t = {} t[5]=1 t[4]=2 t[3]=3 t[2]=4 t[1]=5 show(t)
for _, seed0 in ipairs({1, 2, 5}) do
local seed = seed0
local function rnd(n) seed = (seed * 1103515245 + 12345) % 2147483648 return seed % n end
local function show(t) local o = {} for k, v in pairs(t) do o[#o+1] = tostring(k) end print(table.concat(o, ' ')) end
for round = 1, 60 do
  local t = {}
  local n = rnd(40)
  for i = 1, n do
    local c = rnd(5)
    local k
    if c == 0 then k = 'k' .. rnd(50) elseif c == 1 then k = rnd(30) + 1 elseif c == 2 then k = rnd(1000) / 8 elseif c == 3 then k = string.rep('x', rnd(40)) .. rnd(9) else k = rnd(2) == 0 end
    t[k] = i
  end
  show(t)
end
end
-- keyed integer items of a constructor live in the node part
local o = {} for k in pairs({x = 1, y = 2, z = 3, [1] = 4, [2] = 5}) do o[#o + 1] = tostring(k) end print(table.concat(o, ' '))
o = {} for k in pairs({10, 20, x = 1, [3] = 30, y = 2}) do o[#o + 1] = tostring(k) end print(table.concat(o, ' '))
local function three() return 1, 2, 3 end
o = {} for k in pairs({three(), a = 1, b = 2}) do o[#o + 1] = tostring(k) end print(table.concat(o, ' '))

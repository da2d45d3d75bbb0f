-- if/elseif/else, while, repeat (scoping of until), numeric and generic for, break
for i = 1, 3 do
  if i == 1 then print("one") elseif i == 2 then print("two") else print("other", i) end
end
local n = 0
while n < 5 do n = n + 1 if n == 3 then break end end
print("while", n)
local k = 0
repeat local inner = k k = k + 1 until inner >= 3
print("repeat", k)
for i = 10, 1, -3 do io_unused = i print("down", i) end
for i = 1, 0 do print("never") end
for i = 1, 2, 0.5 do print("frac", i) end
for i = 0.1, 0.35, 0.1 do print("float step", i) end
for i = "2", "4" do print("coerced", i) end
for i = 1, 3 do local j = i i = i * 10 print("copy", i, j) end
local t = {10, 20, 30, nil, 50}
for i, v in ipairs(t) do print("ipairs", i, v) end
local keys = {}
for k2 in pairs({a = 1, b = 2, c = 3}) do keys[k2] = true end
print(keys.a, keys.b, keys.c)
for i = 1, 3 do for j = 1, 3 do if j == 2 then break end print("nested", i, j) end end
do local x = 1 do local x = 2 print("inner x", x) end print("outer x", x) end
local function iter(s, c) if c < s then return c + 1, c * 2 end end
for a, b in iter, 3, 0 do print("custom", a, b) end
for i = 3, 1 do print("no") end
for i = -1, -3, -1 do print("neg", i) end
local big = 0
for i = 1, 100000 do big = big + i end
print(big)
goto_ = 1 print(goto_)
if nil then print("nil is true") end
if 0 then print("0 is true") end
if "" then print("empty string is true") end
if false then elseif nil then else print("else branch") end
local w = 0
while true do w = w + 1 if w > 10 then break end end
print(w)
repeat until true
print("done")

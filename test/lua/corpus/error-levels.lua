-- error() with levels: the caller's line, pcall and tail calls as lua5.1 counts levels
local function check(x) if type(x) ~= "number" then error("expected number", 2) end return x end
local function user() return check("s") end
print(pcall(user))
print(pcall(check, "s"))
print(pcall(error, "x", 2))
print(pcall(error, "x", 3))
local function lvl3() error("three", 3) end
local function mid() lvl3() end
local function top() mid() end
print(pcall(top))
print(pcall(function() error("lvl2 in anon", 2) end))
print(pcall(function() local function inner() error("up", 2) end
  inner()
end))
local ok, e = pcall(function() error("main level 2", 2) end)
print(ok, e)
print(pcall(error, "zero", 0))
local t = setmetatable({}, {__index = function(t, k) error("idx " .. k, 2) end})
print(pcall(function()
  return t.foo
end))
error("top level 2", 2)

-- runtime errors in expressions spread over lines: the line lua5.1 names
local t = {}
print(pcall(function()
  local x = t.a
    .b
end))
print(pcall(function()
  local y = 1 +
    nil
end))
print(pcall(function()
  local z = "a" ..
    {} ..
    "b"
end))
print(pcall(function()
  t.x.y
  = 5
end))
print(pcall(function()
  local v = t
  [1]
  [2]
end))
print(pcall(function()
  undefinedf(
    1,
    2
  )
end))
print(pcall(function()
  local q = {
    a = 1,
    b = nil + 1,
  }
end))
print(pcall(function()
  return 1 <
    {}
end))
print(pcall(function()
  for i = 1,
    "x" do end
end))
print(pcall(function()
  local s = string.rep(
    "x",
    -1, {}) .. nil
end))
print(pcall(function()
  error(
    "multi")
end))
print(pcall(function()
  local a = nil
  a
  .b = 1
end))

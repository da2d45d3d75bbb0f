-- syntax errors as loadstring reports them
local cases = {
  "a b",
  "x = = 1",
  "x = 1 +",
  "+ 1",
  "function f() return 1",
  "function f()\nreturn 1\n",
  "if x then",
  "if x then\nelse\n",
  "if x print(1) end",
  "while true print(1) end",
  "for i = 1 do end",
  "for i, j = 1, 2 do end",
  "for 1 = 1, 2 do end",
  "for i in do end",
  "repeat x = 1",
  "local 1 = 2",
  "local function () end",
  "x = 'unfinished",
  'x = "unfinished\nnext line"',
  "x = [[unfinished",
  "--[[ unfinished comment",
  "x = 3x",
  "x = 0x",
  "x = 1e",
  "x = 1..2",
  "x = 3.4.5",
  "x = \"\\300\"",
  "x = [==[ a ]=]",
  "x = [=",
  "x = [[ a [[ b ]] ]]",
  "return return",
  "return 1 x = 2",
  "break",
  "do break end",
  "x = ...",
  "function f() return ... end",
  "function f(a, ...) local t = {...} end return 1",
  "f(\n)",
  "f\n(1)",
  "local t = {1, 2,, 3}",
  "t = {[1] 2}",
  "t = {a = }",
  "x = (1",
  "x = (1))",
  "a.b:c = 1",
  "a:b",
  "a.1 = 2",
  "f() = 1",
  "(a) = 1",
  "a, f() = 1, 2",
  "x = ~1",
  "x = 1 ~ 2",
  "x = a[",
  "x = #",
  "x = not",
  "x = function",
  "function a.b:c.d() end",
  "local x <const> = 1",
  "goto continue",
  "x = 1 // 2",
  "x = @",
  "x = $",
  "x = \1",
  "x = 'a\\",
  "x = \"\\",
  "elseif",
  "end",
  "until x",
  "x = }",
  "local a = {f = function() end,}",
  "return;",
  "return 1;;",
  ";",
  "local a; local b;",
  "x = 0x1p4 + 1e+5 + .5e-1",
  "local function f(a, a) return a end return f(1, 2)",
  "return 'a' 'b'",
  "return f{1}",
  "return ('x'):rep(2)",
}
for i, src in ipairs(cases) do
  local f, err = loadstring(src, "=case" .. i)
  if f then print(i, "ok") else print(i, err) end
end
-- line numbers in long sources
local long = "x = 1\n\n\n-- comment\n[[\nmore\n]]\ny = = 2"
print(loadstring(long, "=long"))
print(loadstring("x = [[\na\nb\n]] y z", "=ml"))
print(loadstring("a = 1\r\nb = 2\r\nc = = 3", "=crlf"))
print(loadstring("a = 1\n\rb = 2\n\rc = = 3", "=lfcr"))
print(loadstring("local s = 'a\\\nb' x x", "=esc"))
-- chunk names
print(loadstring("x x"))
print(loadstring("x x", "name"))
print(loadstring("x x", "@file.lua"))
print(loadstring("x x", "=exact"))
print(loadstring("x x\nsecond line", "multi\nline name"))
-- (long chunk names are shortened to LUA_IDSIZE, 60 in Redis's Lua and 80 in Debian's: not compared here)
-- limits
local many = {}
for i = 1, 201 do many[i] = "local v" .. i .. " = " .. i end
print(loadstring(table.concat(many, "\n"), "=locals"))
local ups = {"local f = function() return "}
for i = 1, 61 do ups[#ups + 1] = "u" .. i .. (i < 61 and " + " or "") end
local pre = {}
for i = 1, 61 do pre[i] = "local u" .. i .. " = " .. i end
print(loadstring(table.concat(pre, "\n") .. "\n" .. table.concat(ups) .. " end", "=upvals"))

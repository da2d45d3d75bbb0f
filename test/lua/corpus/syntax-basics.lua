-- lexical elements: numbers, strings, escapes, long strings, comments
print(1, 1.5, .5, 3., 1e3, 1E-2, 0x10, 0XfF, 0x1p4, 2^53, 1e100, 123456789012345)
print(-0, 0/1, 1/0, -1/0, 100000000000000, 1e15, 0.1, 1/3, -1/3, 2^63, 2^-1074)
print("a\tb\\c\"d'e", 'x\'y', "\65\066\0677", "\n" == "\10", #"\0ab\0")
print([[long
string]], [==[with ]] inside]==], [[
skips first newline]])
--[[ long
comment ]] print("after long comment")
--[==[ another
]] still comment
]==] print("after level-2 comment")
print("line" .. -- comment
  "continued")
print(#[[]], #[[

]])
local s = "esc: \a\b\f\v\r"
print(#s, s:byte(6, -1))
print("\z" == "z", "\q")
print(1 .. 2, 1.5 .. "", -2 .. "x")
print(0x7fffffff, 0xffffffff, 0x100000000)
print(3 == 3.0, "10" + 5, "3" * "4", "0x10" + 0, " 12 " + 1, "1e2" * 1)

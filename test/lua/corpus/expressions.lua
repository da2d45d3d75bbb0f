-- operator precedence and associativity
print(2 + 3 * 4, (2 + 3) * 4, 2 ^ 3 ^ 2, -2 ^ 2, (-2) ^ 2, 2 ^ -1)
print(1 .. 2 .. 3, "a" .. "b" == "ab", not nil == true, not 1 == nil)
print(1 < 2 == true, "a" < "b", "a" < "B", "abc" < "abd", "" < "a", "Z" < "a")
print(7 % 3, -7 % 3, 7 % -3, -7 % -3, 5.5 % 2, -5.5 % 2, 1 % 0, 0 % 0 ~= 0 % 0)
print(7 / 2, -7 / 2, 1 / 3 * 3, 10 / 2, 2 ^ 0.5, 0 / 0 ~= 0 / 0)
print(1 and 2, nil and 1, false and nil, 1 or 2, nil or false, false or nil, nil or "x")
print(1 == 1, 1 ~= 1, "1" == 1, nil == false, {} == {}, 0 == -0)
print(3 <= 3, 3 >= 4, "b" >= "a", "b" <= "a", 2 > 1, -1 < -2)
local a, b = 10, 3
print(a + b, a - b, a * b, a / b, a % b, a ^ b, -a, a .. b)
print(#"hello", #{1, 2, 3}, #{}, #{n = 1}, #"")
print(not not nil, not 0, not "", - - 2)
local x = 5
print(x > 3 and "big" or "small", x < 3 and "big" or "small")
print(("x"):rep(3), ("%d"):format(42), #("abc"):upper())
print(2^31, 2^32 + 1, -2^31, 1e308 * 10, -1e308 * 10)


-- ~= against a constant operand (nil, numbers, strings, booleans) on either side,
-- in conditions and as values: the compiler's fast path for constants
local n, s, z, f = 2, 'x', nil, false
if n ~= nil then print('n ~= nil') else print('WRONG n ~= nil') end
if nil ~= n then print('nil ~= n') else print('WRONG nil ~= n') end
if z ~= nil then print('WRONG z ~= nil') else print('z == nil') end
print(n ~= 2, n ~= 3, 2 ~= n, 3 ~= n)
print(s ~= 'x', s ~= 'y', 'x' ~= s, '' ~= s)
print(f ~= false, f ~= true, true ~= f, z ~= false)
print(n ~= '2', s ~= 1, z ~= 0)
local t = {1, 2}
print(next(t, 1) ~= nil, next(t, 2) ~= nil)
local count = 0
local i = 0
while i ~= 5 and count < 20 do i = i + 1 count = count + 1 end
print(count)
repeat i = i - 1 until i ~= 4 or i < -10
print(i, not (n ~= nil), not (z ~= nil))
local a = n ~= nil and 'yes' or 'no'
local b = z ~= nil and 'yes' or 'no'
print(a, b)

"""Exact Fibonacci numbers: the O(n) table and the O(log n) matrix power."""

from dlcourse.sequences import fibonacci, fibonacci_matrix

print("F(93)  =", fibonacci(93))
print("F(300) =", fibonacci(300))
same = all(fibonacci(n) == fibonacci_matrix(n) for n in range(301))
print("F(0..300) agree:", same)
print("F(10,000) agrees:", fibonacci(10_000) == fibonacci_matrix(10_000))

# F(1,000,000): 20 squarings of a 2x2 matrix instead of a million additions
big = fibonacci_matrix(1_000_000)
print(f"F(1,000,000) has {big.bit_length():,} bits")
print(f"and ends in ...{big % 10**12:012d}")

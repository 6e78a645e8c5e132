"""An int64 table, and what happens after F(92)."""

# --8<-- [start:wrap]
import torch

table = torch.zeros(94, dtype=torch.int64)
table[1] = 1
for i in range(2, 94):
    table[i] = table[i - 1] + table[i - 2]  # no error, no warning...
print("F(92) =", table[92].item())
print("F(93) =", table[93].item(), " <- negative: int64 wrapped around")
# --8<-- [end:wrap]

# --8<-- [start:refuse]
from dlcourse.sequences import fibonacci_table

print(fibonacci_table(10).tolist())
try:
    fibonacci_table(93)
except OverflowError as error:
    print("OverflowError:", error)
# --8<-- [end:refuse]

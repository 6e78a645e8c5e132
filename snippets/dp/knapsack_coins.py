"""The 0/1 knapsack and coin change: two more tables."""

from dlcourse.sequences import coin_change_min, coin_change_ways, knapsack

weights, values = [1, 3, 4, 5], [1, 4, 5, 7]
best, chosen = knapsack(weights, values, capacity=7)
print(f"knapsack, capacity 7: best value {best} with items {chosen}")

coins = [1, 5, 10, 21, 25]
print(f"fewest coins for 63 with {coins}:", coin_change_min(coins, 63))
print("fewest coins for 3 with [2]:", coin_change_min([2], 3))
uk = [1, 2, 5, 10, 20, 50, 100, 200]
print("ways to pay 200 with UK coins:", coin_change_ways(uk, 200))

"""Pitfall: the greedy policy of a table that is still learning can stand still."""

from dlcourse.td import TDControlConfig, greedy_trajectory, train_td_control

# --8<-- [start:stuck]
run = train_td_control(TDControlConfig(method="sarsa", episodes=500, seed=5))
path = greedy_trajectory(run.q, max_steps=100)
print(f"greedy path: {path[:9]} ... then state {path[-1]} until step {len(path) - 1}")
q4 = [round(v, 2) for v in run.q[4].tolist()]
print(f"Q(4, .) = {q4}  (up, right, down, left)")
print(f"while learning, the last 100 episodes took {max(run.steps[-100:])} steps at most")
assert path[-1] == 4 and run.q[4].argmax().item() == 0  # "up" from the top row: into the wall
# --8<-- [end:stuck]

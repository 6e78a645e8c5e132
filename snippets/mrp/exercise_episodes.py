import math

from dlcourse.mdp import evaluate_monte_carlo, student_day
from dlcourse.runtime import device

day = student_day(gamma=0.9).to(device())
pilot = evaluate_monte_carlo(day, episodes=2000, seed=0)
sigma = pilot.returns[0].std().item()  # spread of the returns from the Lecture
# half-width z sigma / sqrt(n) <= 0.1  <=>  n >= (z sigma / 0.1)^2
n = math.ceil((1.96 * sigma / 0.1) ** 2)
print(f"std of G from the Lecture: {sigma:.2f}; a ±0.1 band needs {n} episodes")
big = evaluate_monte_carlo(day, episodes=n, seed=1)
estimate, half = big.values[0].item(), big.half_width[0].item()
print(f"with {n} episodes: v(Lecture) ~ {estimate:.3f} ± {half:.3f}")

"""The student's day solved three ways: closed form, iteration, Monte Carlo."""

from dlcourse.mdp import STUDENT_DAY_STATES, student_day
from dlcourse.runtime import device

# defined by the page's earlier blocks; repeated so that this file runs on its own
day = student_day(gamma=0.9).to(device())
names = STUDENT_DAY_STATES

# --8<-- [start:closed]
from dlcourse.mdp import bellman_expectation, solve

v = solve(day)  # (I - gamma P) v = R
for name, value in zip(names, v.tolist(), strict=True):
    print(f"v({name}) = {value:7.3f}")
residual = (bellman_expectation(day, v) - v).abs().max().item()  # |R + gamma P v - v|
print("v satisfies v = R + gamma P v (to 1e-12):", residual < 1e-12)
# --8<-- [end:closed]

# --8<-- [start:iterative]
from dlcourse.mdp import evaluate_iterative

tol = 1e-6
iterative = evaluate_iterative(day, tol=tol)
first = [f"{d:.3f}" for d in iterative.deltas[:4]]
print(f"{iterative.sweeps} sweeps; the first changes: {first}")
print(f"last change: {iterative.deltas[-1]:.2e}")
print(f"guaranteed error <= {iterative.error_bound:.2e}")
error = (iterative.values - v).abs().max().item()
print(f"actual error against the closed form: {error:.2e} (tol {tol:g})")
# --8<-- [end:iterative]

# --8<-- [start:monte_carlo]
from dlcourse.mdp import evaluate_monte_carlo

mc = evaluate_monte_carlo(day, episodes=2000, seed=0)
print(f"{'state':>9} {'closed form':>12} {'iterative':>10}   Monte Carlo, 95% band")
for s, name in enumerate(names):
    exact, it = v[s].item(), iterative.values[s].item()
    estimate, half = mc.values[s].item(), mc.half_width[s].item()
    band = f"{estimate:7.3f} ± {half:.3f}"
    verdict = "covers v" if abs(estimate - exact) <= half else "misses v"
    print(f"{name:>9} {exact:12.3f} {it:10.3f}   {band}  {verdict}")
print("episodes cut at max_steps:", mc.truncated)
# --8<-- [end:monte_carlo]

# --8<-- [start:plot]
from dlcourse.plots.mrp import plot_monte_carlo

fig = plot_monte_carlo(
    mc.returns[0],  # the returns of the episodes that started at the Lecture
    v[0].item(),
    confidence=mc.confidence,
    title="Monte Carlo estimate of v(Lecture)",
)
# --8<-- [end:plot]

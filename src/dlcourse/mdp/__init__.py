"""Finite Markov reward and decision processes: the models, their evaluation, planning in them.

* :mod:`dlcourse.mdp.models`: :class:`MRP` and :class:`TabularMDP`, stored as successor lists
  (dense ``P`` on request);
* :mod:`dlcourse.mdp.evaluation`: the value of an MRP, exactly (:func:`solve`), by sweeps
  (:func:`evaluate_iterative`) or by sampling (:func:`evaluate_monte_carlo`), and whether its
  episodes end (:func:`reaches_terminal`);
* :mod:`dlcourse.mdp.planning`: action values, greedy policies, :func:`policy_iteration` and
  :func:`value_iteration`;
* :mod:`dlcourse.mdp.backup`: the Bellman backup every sweep runs;
* :mod:`dlcourse.mdp.checks`: the input checks every model runs;
* :mod:`dlcourse.mdp.examples`: the student's day.
"""

from dlcourse.mdp.checks import PROB_ATOL
from dlcourse.mdp.evaluation import (
    IterativeResult,
    MonteCarloResult,
    bellman_expectation,
    evaluate_iterative,
    evaluate_monte_carlo,
    never_terminating,
    reaches_terminal,
    solve,
)
from dlcourse.mdp.examples import STUDENT_DAY_STATES, student_day
from dlcourse.mdp.models import MRP, TabularMDP
from dlcourse.mdp.planning import (
    PlanResult,
    action_values,
    bellman_residual,
    greedy_policy,
    policy_iteration,
    value_iteration,
)

__all__ = [
    "MRP",
    "PROB_ATOL",
    "STUDENT_DAY_STATES",
    "IterativeResult",
    "MonteCarloResult",
    "PlanResult",
    "TabularMDP",
    "action_values",
    "bellman_expectation",
    "bellman_residual",
    "evaluate_iterative",
    "evaluate_monte_carlo",
    "greedy_policy",
    "never_terminating",
    "policy_iteration",
    "reaches_terminal",
    "solve",
    "student_day",
    "value_iteration",
]

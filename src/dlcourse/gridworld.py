"""A small grid world, written like Gymnasium's toy-text environments, and its exact model.

:class:`GridWorld` computes every transition once, in :meth:`GridWorld.transitions`, as a list of
``(probability, next_state, reward, terminated)``. :meth:`GridWorld.step` samples from that list
and :meth:`GridWorld.to_mdp` turns the same lists into the tensors of a
:class:`~dlcourse.mdp.TabularMDP`, so the model and the simulator cannot disagree.

Importing this module registers ``gymnasium.make("dlcourse/GridWorld-v0", ...)``; it imports
Gymnasium and NumPy but not PyTorch (only :meth:`GridWorld.to_mdp` needs it), so registering
is cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

if TYPE_CHECKING:  # torch is imported by to_mdp, so that registering the env stays cheap
    import torch

    from dlcourse.mdp import TabularMDP

__all__ = [
    "ACTION_NAMES",
    "DOWN",
    "ENV_ID",
    "LEFT",
    "MOVES",
    "RIGHT",
    "UP",
    "GridWorld",
    "register",
]

UP = 0
DOWN = 1
LEFT = 2
RIGHT = 3

MOVES: dict[int, tuple[int, int]] = {UP: (-1, 0), DOWN: (1, 0), LEFT: (0, -1), RIGHT: (0, 1)}
"""(row, col) offset of each action."""

ACTION_NAMES = ("up", "down", "left", "right")

ENV_ID = "dlcourse/GridWorld-v0"
"""Gymnasium id under which :class:`GridWorld` is registered."""

CELL_PX = 32
"""Side of one grid cell in ``rgb_array`` frames, in pixels."""

_COLORS = {
    "floor": (235, 235, 235),
    "line": (190, 190, 190),
    "wall": (60, 60, 60),
    "start": (173, 216, 230),
    "goal": (76, 175, 80),
    "agent": (220, 60, 40),
}

Cell = int | tuple[int, int]
"""A cell given as a state index ``row * width + col`` or as ``(row, col)``."""

Transition = tuple[float, int, float, bool]
"""``(probability, next_state, reward, terminated)``, as in Gymnasium's toy-text ``P`` tables."""


class GridWorld(gym.Env):
    """An agent walks on a grid from a start cell to a goal cell.

    ## Description
    The grid has ``height`` rows and ``width`` columns; some cells may be walls. The agent starts
    in ``start`` and the episode ends when it enters ``goal``. With the defaults this is the
    course's example: a 4x4 grid, start top-left, goal bottom-right, reward 1 at the goal.

    The floor can be slippery: with probability ``slip`` the agent moves in one of the other three
    directions, chosen uniformly, instead of the one it asked for. Moving into the edge of the grid
    or into a wall leaves the agent where it is.

    ## Action Space
    ``Discrete(4)``: 0 up, 1 down, 2 left, 3 right (the module constants ``UP``, ``DOWN``,
    ``LEFT``, ``RIGHT``).

    ## Observation Space
    ``Discrete(height * width)``: the agent's cell as ``row * width + col``, returned as an
    ``int``. Wall cells keep their numbers but the agent is never in one.

    ## Starting State
    Always ``start`` (default 0, the top-left cell).

    ## Reward
    ``step_reward`` for every step (default 0), plus ``goal_reward`` (default 1) for the step that
    enters the goal.

    ## Episode End
    Terminates when the agent enters ``goal`` (default: the bottom-right cell). Truncation is left
    to a ``TimeLimit`` wrapper: ``gymnasium.make("dlcourse/GridWorld-v0")`` adds one of 100 steps.

    ## Information
    ``step`` and ``reset`` return ``{"prob": p}``, the probability of the transition that happened.

    ## Arguments
    - ``render_mode``: ``None``, ``"ansi"`` (text) or ``"rgb_array"`` (``uint8`` image,
      32 px per cell, drawn with NumPy).
    - ``height``, ``width``: grid size, each >= 1 (default 4 x 4).
    - ``start``, ``goal``: cells as state numbers or ``(row, col)``; ``goal`` defaults to the
      bottom-right cell. They must be different, inside the grid and not walls.
    - ``step_reward``, ``goal_reward``: see Reward.
    - ``walls``: cells (state numbers or ``(row, col)``) the agent cannot enter.
    - ``slip``: probability in [0, 1] that a move goes in another direction.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        render_mode: str | None = None,
        *,
        height: int = 4,
        width: int = 4,
        start: Cell = 0,
        goal: Cell | None = None,
        step_reward: float = 0.0,
        goal_reward: float = 1.0,
        walls: Iterable[Cell] = (),
        slip: float = 0.0,
    ) -> None:
        for name, n in (("height", height), ("width", width)):
            if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
                raise ValueError(f"{name} must be an int >= 1, got {n!r}")
        self.height, self.width = int(height), int(width)
        self.num_states = self.height * self.width
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode {render_mode!r} is not supported; use one of "
                f"{self.metadata['render_modes']} or None"
            )
        self.render_mode = render_mode
        self.walls: frozenset[int] = frozenset(self._cell("walls", w) for w in walls)
        self.start = self._cell("start", start)
        self.goal = self._cell("goal", self.num_states - 1 if goal is None else goal)
        if self.start in self.walls:
            raise ValueError(f"start {self.rowcol(self.start)} is on a wall")
        if self.goal in self.walls:
            raise ValueError(f"goal {self.rowcol(self.goal)} is on a wall")
        if self.start == self.goal:
            raise ValueError(f"start and goal are the same cell {self.rowcol(self.start)}")
        slip = float(slip)
        if not 0.0 <= slip <= 1.0:  # also rejects nan
            raise ValueError(f"slip must be a probability in [0, 1], got {slip}")
        self.slip = slip
        for name, r in (("step_reward", step_reward), ("goal_reward", goal_reward)):
            if not np.isfinite(r):
                raise ValueError(f"{name} must be finite, got {r}")
        self.step_reward, self.goal_reward = float(step_reward), float(goal_reward)

        self.observation_space = spaces.Discrete(self.num_states)
        self.action_space = spaces.Discrete(len(MOVES))
        # P[s][a]: the one table both step() and to_mdp() read
        self.P: list[list[list[Transition]]] = [
            [self.transitions(s, a) for a in range(len(MOVES))] for s in range(self.num_states)
        ]
        self.s = self.start
        self.lastaction: int | None = None

    # ----------------------------------------------------------------------------- geometry
    def _cell(self, name: str, cell: Any) -> int:
        """A cell (state number or ``(row, col)``) as a validated state number."""
        if isinstance(cell, tuple | list | np.ndarray) and len(cell) == 2:
            r, c = (int(x) for x in cell)
            if not (0 <= r < self.height and 0 <= c < self.width):
                raise ValueError(
                    f"{name} {(r, c)} is outside the {self.height}x{self.width} grid "
                    f"(rows 0..{self.height - 1}, columns 0..{self.width - 1})"
                )
            return r * self.width + c
        if isinstance(cell, bool) or not isinstance(cell, int | np.integer):
            raise ValueError(f"{name} must be a state number or a (row, col) pair, got {cell!r}")
        if not 0 <= cell < self.num_states:
            raise ValueError(
                f"{name} {int(cell)} is outside the {self.height}x{self.width} grid "
                f"(states 0..{self.num_states - 1})"
            )
        return int(cell)

    def rowcol(self, state: int) -> tuple[int, int]:
        """``(row, col)`` of a state: ``state = row * width + col``."""
        return divmod(int(state), self.width)

    def move(self, state: int, action: int) -> int:
        """The cell reached by moving from ``state`` in direction ``action``, ignoring slip.

        Moving into the edge of the grid or into a wall leaves the agent in place.
        """
        r, c = self.rowcol(state)
        dr, dc = MOVES[action]
        r2, c2 = r + dr, c + dc
        if not (0 <= r2 < self.height and 0 <= c2 < self.width):
            return int(state)
        s2 = r2 * self.width + c2
        return int(state) if s2 in self.walls else s2

    def transitions(self, state: int, action: int) -> list[Transition]:
        """All outcomes ``(prob, next_state, reward, terminated)`` of ``action`` in ``state``.

        The intended direction has probability ``1 - slip``, each other direction ``slip / 3``;
        outcomes that land on the same cell are merged. The goal (and a wall cell, which the
        agent never occupies) is absorbing with reward 0.
        """
        if state == self.goal or state in self.walls:
            return [(1.0, int(state), 0.0, state == self.goal)]
        probs: dict[int, float] = {}
        for direction in MOVES:
            # P(direction | action) = 1 - slip if direction == action else slip / 3
            p = 1.0 - self.slip if direction == action else self.slip / 3.0
            if p > 0.0:
                s2 = self.move(state, direction)
                probs[s2] = probs.get(s2, 0.0) + p
        return [
            (
                p,
                s2,
                # r = step_reward + goal_reward * [s' == goal]
                self.step_reward + (self.goal_reward if s2 == self.goal else 0.0),
                s2 == self.goal,
            )
            for s2, p in probs.items()
        ]

    # ------------------------------------------------------------------------------ gym API
    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, float]]:
        """Take ``action``; return ``(observation, reward, terminated, truncated=False, info)``."""
        if not self.action_space.contains(action):
            raise ValueError(
                f"invalid action {action!r}: actions are ints in 0..3 "
                "(UP=0, DOWN=1, LEFT=2, RIGHT=3)"
            )
        outcomes = self.P[self.s][int(action)]
        # inverse-CDF sampling: one uniform draw per step, slippery floor or not
        u = self.np_random.random()
        i = int(np.searchsorted(np.cumsum([o[0] for o in outcomes]), u, side="right"))
        p, s2, r, terminated = outcomes[min(i, len(outcomes) - 1)]
        self.s = s2
        self.lastaction = int(action)
        return int(s2), float(r), bool(terminated), False, {"prob": float(p)}

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, float]]:
        """Put the agent on ``start``; ``seed`` reseeds ``self.np_random``."""
        super().reset(seed=seed)
        self.s = self.start
        self.lastaction = None
        return int(self.s), {"prob": 1.0}

    def render(self) -> str | np.ndarray | None:
        """Text (``"ansi"``) or an RGB ``uint8`` image (``"rgb_array"``) of the current state."""
        if self.render_mode is None:
            gym.logger.warn(
                "render() was called without a render_mode; pass render_mode='ansi' or "
                "'rgb_array' to GridWorld(...) or gymnasium.make(...)"
            )
            return None
        if self.render_mode == "ansi":
            return self._render_text()
        return self._render_rgb()

    def _render_text(self) -> str:
        rows = []
        for r in range(self.height):
            line = []
            for c in range(self.width):
                s = r * self.width + c
                if s == self.s:
                    ch = "A"
                elif s in self.walls:
                    ch = "#"
                elif s == self.goal:
                    ch = "G"
                elif s == self.start:
                    ch = "S"
                else:
                    ch = "."
                line.append(ch)
            rows.append(" ".join(line))
        header = f"  ({ACTION_NAMES[self.lastaction]})\n" if self.lastaction is not None else ""
        return header + "\n".join(rows) + "\n"

    def _render_rgb(self) -> np.ndarray:
        k = CELL_PX
        img = np.empty((self.height * k, self.width * k, 3), dtype=np.uint8)
        img[:] = _COLORS["floor"]
        for s, color in [(self.start, "start"), (self.goal, "goal")] + [
            (w, "wall") for w in self.walls
        ]:
            r, c = self.rowcol(s)
            img[r * k : (r + 1) * k, c * k : (c + 1) * k] = _COLORS[color]
        img[::k, :] = _COLORS["line"]
        img[:, ::k] = _COLORS["line"]
        img[-1, :] = _COLORS["line"]
        img[:, -1] = _COLORS["line"]
        # the agent: a disc of radius 0.35 cells in the middle of its cell
        r, c = self.rowcol(self.s)
        yy, xx = np.mgrid[0:k, 0:k]
        disc = (yy - (k - 1) / 2) ** 2 + (xx - (k - 1) / 2) ** 2 <= (0.35 * k) ** 2
        img[r * k : (r + 1) * k, c * k : (c + 1) * k][disc] = _COLORS["agent"]
        return img

    # ---------------------------------------------------------------------------- the model
    def to_mdp(
        self,
        gamma: float,
        *,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> TabularMDP:
        """The exact :class:`~dlcourse.mdp.TabularMDP` of this grid, built from ``self.P``.

        ``P[s, a, s'] = sum of the probabilities of the outcomes of (s, a) that land in s'``,
        ``R[s, a] = sum over outcomes of prob * reward``. The goal is terminal. Wall cells keep
        their state numbers (so ``state = row * width + col`` holds) and are marked terminal
        too: the agent never occupies one, and as terminal states they have value 0 and no
        transitions, which keeps ``I - gamma P`` invertible for ``gamma = 1``. ``dtype``
        defaults to ``torch.float64``, ``device`` to :func:`dlcourse.runtime.device`.
        """
        import torch

        from dlcourse import runtime
        from dlcourse.mdp import TabularMDP

        dtype = torch.float64 if dtype is None else dtype
        S, A = self.num_states, self.action_space.n
        P = np.zeros((S, A, S))
        R = np.zeros((S, A))
        for s in range(S):
            for a in range(A):
                for p, s2, r, _ in self.P[s][a]:
                    P[s, a, s2] += p
                    # R(s, a) = sum_{s'} P(s'|s,a) r(s, a, s')
                    R[s, a] += p * r
        terminal = np.zeros(S, dtype=bool)
        terminal[self.goal] = True
        terminal[list(self.walls)] = True
        dev = runtime.device() if device is None else torch.device(device)
        return TabularMDP(
            torch.as_tensor(P, dtype=dtype, device=dev),
            torch.as_tensor(R, dtype=dtype, device=dev),
            gamma,
            torch.as_tensor(terminal, device=dev),
        )


def register(max_episode_steps: int = 100) -> None:
    """Register :class:`GridWorld` as :data:`ENV_ID` (once; later calls do nothing)."""
    if ENV_ID not in gym.registry:
        gym.register(
            id=ENV_ID,
            entry_point="dlcourse.gridworld:GridWorld",
            max_episode_steps=max_episode_steps,
        )


register()

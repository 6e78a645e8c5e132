"""A grid world, written like Gymnasium's toy-text environments, that builds its own model.

:class:`GridWorld` computes its dynamics once, with array operations over all cells: for every
``(state, action)`` the possible next cells (one without slip, four with) and their
probabilities. :meth:`GridWorld.step` samples from those lists, and :meth:`GridWorld.to_mdp`
hands the same lists to :meth:`TabularMDP.from_successors
<dlcourse.mdp.models.TabularMDP.from_successors>`, so the simulator and the model cannot
disagree, and a million-cell grid's model takes ``S * A * K`` entries, not ``S * A * S``.

Importing this module registers ``gymnasium.make("dlcourse/GridWorld-v0", ...)``; it imports
Gymnasium and NumPy but not PyTorch (only :meth:`GridWorld.to_mdp` needs it), so registering
is cheap. :func:`cell_index` and :func:`wall_mask` read cells and walls the way the
environment does; the plots use them too.
"""

from __future__ import annotations

import functools
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
    "cell_index",
    "register",
    "wall_mask",
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


def cell_index(name: str, cell: Any, height: int, width: int) -> int:
    """A cell (state number or ``(row, col)``) as a state number, or a ValueError naming it."""
    if isinstance(cell, tuple | list | np.ndarray) and len(cell) == 2:
        r, c = (int(x) for x in cell)
        if not (0 <= r < height and 0 <= c < width):
            raise ValueError(
                f"{name} {(r, c)} is outside the {height}x{width} grid "
                f"(rows 0..{height - 1}, columns 0..{width - 1})"
            )
        return r * width + c
    if isinstance(cell, bool) or not isinstance(cell, int | np.integer):
        raise ValueError(f"{name} must be a state number or a (row, col) pair, got {cell!r}")
    if not 0 <= cell < height * width:
        raise ValueError(
            f"{name} {int(cell)} is outside the {height}x{width} grid "
            f"(states 0..{height * width - 1})"
        )
    return int(cell)


def wall_mask(walls: Any, height: int, width: int) -> np.ndarray:
    """Walls as a flat bool array ``[height * width]``, from cells or a ``[height, width]`` mask."""
    if walls is None:
        return np.zeros(height * width, dtype=bool)
    if hasattr(walls, "shape") and len(walls.shape) == 2:
        mask = np.asarray(walls.detach().cpu() if hasattr(walls, "detach") else walls)
        if mask.dtype != bool or mask.shape != (height, width):
            raise ValueError(
                f"a wall mask must be a bool array of shape {(height, width)}, "
                f"got {mask.dtype} {mask.shape}"
            )
        return mask.reshape(-1).copy()
    mask = np.zeros(height * width, dtype=bool)
    for w in walls:
        mask[cell_index("walls", w, height, width)] = True
    return mask


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
    - ``walls``: cells (state numbers or ``(row, col)``) the agent cannot enter, or a bool
      mask ``[height, width]``.
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
        walls: Iterable[Cell] | np.ndarray = (),
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
        self._wall = wall_mask(walls, self.height, self.width)
        self.walls: frozenset[int] = frozenset(int(w) for w in np.flatnonzero(self._wall))
        self.start = cell_index("start", start, self.height, self.width)
        self.goal = cell_index(
            "goal", self.num_states - 1 if goal is None else goal, self.height, self.width
        )
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
        # the dynamics of every (s, a), computed once: the one table step() and to_mdp() read
        self._next, self._probs = self._successors()
        self._outcomes: dict[tuple[int, int], list[Transition]] = {}
        self.s = self.start
        self.lastaction: int | None = None

    # ----------------------------------------------------------------------------- geometry
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
        return int(state) if self._wall[s2] else s2

    def _successors(self) -> tuple[np.ndarray, np.ndarray]:
        """``next[s, a, k]`` and ``probs[s, a, k]`` for every state at once (K = 1 or 4).

        Direction ``d`` has probability ``1 - slip`` when it is the chosen action and
        ``slip / 3`` otherwise; the cell it aims at, or the current cell when that is off the
        grid or a wall. The goal and the walls are absorbing (one slot, probability 1).
        """
        S, D = self.num_states, len(MOVES)
        s = np.arange(S)
        row, col = s // self.width, s % self.width
        dr = np.array([MOVES[d][0] for d in range(D)])
        dc = np.array([MOVES[d][1] for d in range(D)])
        r2, c2 = row[:, None] + dr, col[:, None] + dc  # [S, D]: the cell each direction aims at
        inside = (r2 >= 0) & (r2 < self.height) & (c2 >= 0) & (c2 < self.width)
        target = np.where(inside, r2 * self.width + c2, s[:, None])  # off the grid: stay
        target = np.where(self._wall[target], s[:, None], target)  # into a wall: stay
        if self.slip == 0.0:  # action a moves in direction a
            nxt, probs = target[:, :, None], np.ones((S, D, 1))
        else:
            nxt = np.broadcast_to(target[:, None, :], (S, D, D))  # [S, A, D]: every direction
            # P(direction d | action a) = 1 - slip if d == a else slip / 3
            p_dir = np.full((D, D), self.slip / (D - 1))
            np.fill_diagonal(p_dir, 1.0 - self.slip)
            probs = np.broadcast_to(p_dir[None], (S, D, D))
        absorbing = self._wall.copy()
        absorbing[self.goal] = True
        if absorbing.any():
            nxt, probs = nxt.copy(), probs.copy()
            nxt[absorbing] = np.flatnonzero(absorbing)[:, None, None]
            probs[absorbing] = np.eye(1, probs.shape[2])[None]  # stay with probability 1
        return nxt, probs

    def transitions(self, state: int, action: int) -> list[Transition]:
        """All outcomes ``(prob, next_state, reward, terminated)`` of ``action`` in ``state``.

        Read from the successor table: outcomes that land on the same cell are merged. The goal
        (and a wall cell, which the agent never occupies) is absorbing with reward 0.
        """
        key = (int(state), int(action))
        if key not in self._outcomes:
            if state == self.goal or state in self.walls:
                outcome = [(1.0, int(state), 0.0, state == self.goal)]
            else:
                probs: dict[int, float] = {}
                for s2, p in zip(self._next[key].tolist(), self._probs[key].tolist(), strict=True):
                    if p > 0.0:
                        probs[s2] = probs.get(s2, 0.0) + p
                # r(s, a, s') = step_reward + goal_reward * [s' == goal]
                reward = {
                    s2: self.step_reward + self.goal_reward * (s2 == self.goal) for s2 in probs
                }
                outcome = [(p, s2, reward[s2], s2 == self.goal) for s2, p in probs.items()]
            self._outcomes[key] = outcome
        return self._outcomes[key]

    @functools.cached_property
    def P(self) -> list[list[list[Transition]]]:
        """Gymnasium's toy-text table: ``P[s][a]`` lists the outcomes of ``(s, a)``.

        Built from :meth:`transitions` for every state when first asked for, then kept (a
        Python list per state: meant for small grids; :meth:`to_mdp` is the model for any size).
        """
        return [[self.transitions(s, a) for a in range(len(MOVES))] for s in range(self.num_states)]

    # ------------------------------------------------------------------------------ gym API
    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, float]]:
        """Take ``action``; return ``(observation, reward, terminated, truncated=False, info)``."""
        if not self.action_space.contains(action):
            raise ValueError(
                f"invalid action {action!r}: actions are ints in 0..3 "
                "(UP=0, DOWN=1, LEFT=2, RIGHT=3)"
            )
        outcomes = self.transitions(self.s, int(action))
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
        """The exact :class:`~dlcourse.mdp.models.TabularMDP` of this grid, from its successors.

        ``next_states[s, a, k]`` and ``probs[s, a, k]`` are the environment's own table;
        ``R[s, a] = sum_k p_k r(s, a, next_k)``. The goal is terminal. Wall cells keep their
        state numbers (so ``state = row * width + col`` holds) and are marked terminal too: the
        agent never occupies one, and as terminal states they have value 0 and no transitions,
        which keeps ``I - gamma P`` invertible for ``gamma = 1``. ``dtype`` defaults to
        ``torch.float64``, ``device`` to :func:`dlcourse.runtime.device`.
        """
        import torch

        from dlcourse import runtime
        from dlcourse.mdp.models import TabularMDP

        dtype = torch.float64 if dtype is None else dtype
        dev = runtime.device() if device is None else torch.device(device)
        probs = torch.as_tensor(np.ascontiguousarray(self._probs), dtype=dtype, device=dev)
        nxt = torch.as_tensor(np.ascontiguousarray(self._next), device=dev)
        reward = self.step_reward + self.goal_reward * (nxt == self.goal).to(dtype)
        R = (probs * reward).sum(dim=-1)  # R(s, a) = sum_k p_k r(s, a, next_k)
        terminal = self._wall.copy()
        terminal[self.goal] = True
        return TabularMDP.from_successors(
            nxt, probs, R, gamma, torch.as_tensor(terminal, device=dev)
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

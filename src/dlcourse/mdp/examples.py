"""The course's example processes, small enough to check by hand."""

from __future__ import annotations

import torch

from dlcourse.mdp.models import MRP

__all__ = ["STUDENT_DAY_STATES", "student_day"]

STUDENT_DAY_STATES = ("Lecture", "Lab", "Homework", "Phone", "Coffee", "Sleep")
"""Names of the states of :func:`student_day`, in index order (``Sleep`` is terminal)."""


def student_day(gamma: float = 0.9, *, dtype: torch.dtype = torch.float64) -> MRP:
    """The chapter's example: a student's day as a 6-state MRP with ``Sleep`` terminal.

    Rewards are received on leaving a state: sitting through a lecture or a lab costs 2,
    scrolling the phone costs 1, a coffee is worth 1 and handing in the homework 10. The
    tensors are on the CPU; move them with :meth:`~dlcourse.mdp.models.MRP.to`.
    """
    #   to:   Lecture  Lab  Homework  Phone  Coffee  Sleep
    P = torch.tensor(
        [
            [0.0, 0.6, 0.0, 0.4, 0.0, 0.0],  # Lecture
            [0.0, 0.0, 0.7, 0.0, 0.3, 0.0],  # Lab
            [0.0, 0.0, 0.0, 0.2, 0.0, 0.8],  # Homework
            [0.3, 0.0, 0.0, 0.6, 0.0, 0.1],  # Phone
            [0.0, 0.6, 0.4, 0.0, 0.0, 0.0],  # Coffee
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # Sleep (terminal)
        ],
        dtype=dtype,
    )
    R = torch.tensor([-2.0, -2.0, 10.0, -1.0, 1.0, 0.0], dtype=dtype)
    terminal = torch.tensor([False, False, False, False, False, True])
    return MRP(P, R, gamma, terminal)

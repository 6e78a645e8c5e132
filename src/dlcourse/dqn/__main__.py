"""``python -m dlcourse.dqn``: see :mod:`dlcourse.dqn.cli`."""

from dlcourse.dqn.cli import main

if __name__ == "__main__":
    main()

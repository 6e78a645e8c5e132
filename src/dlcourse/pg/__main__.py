"""``python -m dlcourse.pg``: see :mod:`dlcourse.pg.cli`."""

from dlcourse.pg.cli import main

if __name__ == "__main__":
    main()

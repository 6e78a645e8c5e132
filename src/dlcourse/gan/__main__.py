"""``python -m dlcourse.gan``: see :mod:`dlcourse.gan.cli`."""

from dlcourse.gan.cli import main

main()

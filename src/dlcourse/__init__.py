"""dlcourse: the teaching implementations behind the course site."""

__version__ = "0.1.0"

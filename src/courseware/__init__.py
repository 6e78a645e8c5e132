"""The machinery behind the course, kept out of the package a reader imports.

* :mod:`courseware.site`: the MkDocs plugin, the page runner and its execution records, the
  notebook generator and the built-site checks (``python -m courseware.site --help``).
* :mod:`courseware.bench`: the benchmarks against the peer libraries
  (``python -m courseware.bench --help``).

The teaching package :mod:`dlcourse` never imports from here.
"""

"""The machinery behind the course site (not part of the teaching API).

- :mod:`.pages` expands a page's snippet includes exactly as the site does and finds its code
  blocks;
- :mod:`.runner` executes a page's python blocks in order, in one namespace, and keeps what they
  printed and drew in an execution record under ``docs/_executed/``;
- :mod:`.notebooks` turns a page into a Jupyter notebook;
- :mod:`.plugin` is the MkDocs plugin that puts records, stamps and notebook links on pages;
- :mod:`.check` proves that every python block in the built site was executed.
"""

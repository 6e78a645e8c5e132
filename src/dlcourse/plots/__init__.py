"""Plotting helpers, one module per chapter topic.

Every function takes data (and optionally an ``ax``) and returns a
:class:`matplotlib.figure.Figure` made with ``pyplot``; none calls ``plt.show()``. Pages show
what they return: the page runner saves every open figure after a block runs.
"""

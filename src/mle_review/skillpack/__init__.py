"""The agent skill pack: the ``mle-workflow`` skill, the ``mle-reviewer`` agent and their installer.

The canonical files live at the repository top level (``skills/``, ``agents/``);
a wheel carries a copy under ``mle_review/skillpack/bundle/`` so that
``pip install mle-review`` is all a user needs before ``mle-review install``.
"""

"""GitHub integration: ``mle-review github``, the Action's entry point.

The only package that talks to GitHub (through PyGithub, in :mod:`.client`).
Reading order: :mod:`.event` (environment and webhook payload),
:mod:`.action` (what one run does), :mod:`.publish` (summary comment, inline
review, check run), :mod:`.changes` (diff rebuild and anchors),
:mod:`.sources` (head contents), :mod:`.retry` (backoff inside a time budget).

This ``__init__`` imports nothing: ``config.py`` imports :mod:`.settings`,
and loading a config must not load PyGithub.
"""

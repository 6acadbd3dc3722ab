"""A stateful local GitHub REST API for tests.

Emulated (checked against the requests PyGithub actually sends):

- repository, pull request (JSON and the ``application/vnd.github.diff`` media
  type, which answers 406 ``too_large`` past 300 files or 20,000 diff lines),
  pull request files with per-file ``patch`` (omitted for binary files and
  past ``max_patch_lines``, at most 3,000 listed), ``page``/``per_page``
  pagination with absolute ``Link`` headers (next, last, prev, first);
- issue comments (list, get, create, edit, delete; the Actions bot may not
  edit a human's comment), reactions (duplicate reaction answers 200);
- reviews (COMMENT, REQUEST_CHANGES, APPROVE, pending without ``event``; one
  pending review per user, visible only to its author, deletable; dismissal),
  review comments validated like GitHub (422 ``Line could not be resolved``
  for the whole review when one anchor is off the diff, or listed in
  ``unresolvable_anchors``), review comment list and edit, replies seeded
  through :meth:`GitHubState.add_reply`, comments outdated on a new push;
- check runs (create, update, get, list per commit, annotations appended,
  at most 50 per request, 403 for read-only tokens and personal tokens);
- contents at a ref (base64, ``encoding: none`` past 1 MB), git blobs,
  recursive trees, commits; ``/user`` refused to installation tokens;
- token scopes (write, read-only fork token, token without ``checks``),
  401 for missing or bad credentials;
- faults on demand: secondary rate limits (403 + ``Retry-After``), primary
  limits (403/429 + ``x-ratelimit-remaining: 0`` + ``x-ratelimit-reset``),
  5xx; hooks that change state just before a request (racing runs);
- an optional URL prefix (``/api/v3``) as on GitHub Enterprise Server; every
  ``url`` field points back at this server.

Not emulated: GraphQL (review-thread resolution), conditional requests and
ETags, automatic rate limiting (only on demand), the repository settings that
forbid Actions from approving, check suites, webhook delivery, multi-line and
file-level comment subtleties beyond ``start_line`` in the same hunk, how
GitHub re-positions (rather than outdates) comments on lines that moved, body
size limits other than 65,536 characters for comments, and HTML/markdown
rendering.
"""

from .server import GitHubServer, Request
from .state import GitHubState, Pull, User

__all__ = ["GitHubServer", "GitHubState", "Pull", "Request", "User"]

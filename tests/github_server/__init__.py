"""A stateful local GitHub REST API for tests (see ``server.py`` for what it emulates)."""

from .server import GitHubServer, Request
from .state import GitHubState, Pull, User

__all__ = ["GitHubServer", "GitHubState", "Pull", "Request", "User"]

"""mle-review: an ML-engineering reviewer for pull requests and coding agents."""

__version__ = "0.1.0"

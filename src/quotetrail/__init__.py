"""quotetrail: who said what, when, and how each outlet reported it, from German news."""

__version__ = "0.1.0"

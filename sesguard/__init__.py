"""sesguard: keep an Amazon SES account out of the sandbox, and keep it there."""

__version__ = "0.1.0"

"""One module per `sesguard` subcommand; shared option handling in common.py."""

"""One module per `sesguard` subcommand; the options they share are in options.py."""

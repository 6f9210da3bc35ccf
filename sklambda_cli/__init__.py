"""The `sklambda` command line."""

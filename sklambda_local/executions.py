"""The demo and the tests follow executions the way `sklambda retrain --wait` does."""

from sklambda_cli.executions import ENTERED_SUFFIX, entered_states, wait_for_execution

__all__ = ["ENTERED_SUFFIX", "entered_states", "wait_for_execution"]

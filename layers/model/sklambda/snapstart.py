"""Lambda SnapStart runtime hooks, registered only where the Lambda runtime provides them.

``snapshot_restore_py`` exists only inside the managed runtime; elsewhere (tests, the CLI,
`sam local` on an image without it) registering is a no-op and the hooks stay plain functions
that tests call directly.
"""

import os
import random
from collections.abc import Callable

import numpy as np

from sklambda.observability import logger

Hook = Callable[[], None]


def register_hooks(before_snapshot: Hook, after_restore: Hook) -> bool:
    """Register both hooks with the runtime; False when this is not a SnapStart runtime."""
    try:
        from snapshot_restore_py import (
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


def reseed_random_generators() -> None:
    """Every environment restored from one snapshot would otherwise draw the same numbers."""
    random.seed(os.urandom(32))
    np.random.seed(int.from_bytes(os.urandom(4), "little"))
    logger.debug("random generators reseeded after restore")

"""SnapStart hooks of PredictFunction: snapshot with the champion loaded, restore unique."""

from predict_handler.dependencies import get_loader, new_registry
from sklambda import aws
from sklambda.errors import ModelUnavailableError
from sklambda.observability import logger
from sklambda.snapstart import reseed_random_generators


def before_snapshot() -> None:
    """Load the champion so that restored environments serve their first request at once."""
    try:
        model = get_loader().current()
    except ModelUnavailableError as error:
        # A snapshot without a model still works: the first request loads one.
        logger.warning("snapshot taken without a model", extra={"reason": str(error)})
        return
    logger.info("champion loaded before the snapshot", extra={"model_version": model.version})


def after_restore() -> None:
    """New clients (the snapshot's connections are dead), new randomness, champion re-checked."""
    aws.client.cache_clear()
    get_loader().reconnect(new_registry())
    reseed_random_generators()

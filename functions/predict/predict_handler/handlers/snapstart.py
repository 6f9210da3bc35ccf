"""SnapStart hooks of PredictFunction: snapshot with the champion loaded, restore unique."""

from predict_handler.dependencies import get_loader
from predict_handler.settings import get_settings
from sklambda import aws
from sklambda.errors import ModelUnavailableError
from sklambda.observability import logger
from sklambda.registry.factory import serving_registries
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
    aws.clear_clients()
    get_loader().reconnect(*serving_registries(get_settings()))
    reseed_random_generators()

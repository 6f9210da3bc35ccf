"""Cached factories: one set of adapters and services per execution environment.

Tests call ``reset()`` after pointing the environment at their own (moto) AWS.
"""

from datetime import timedelta
from functools import cache
from pathlib import Path

from retrain_handler import settings
from retrain_handler.services.evaluate import EvaluateService
from retrain_handler.services.guard import GuardService
from retrain_handler.services.promote import PromoteService
from retrain_handler.services.report import ReportService
from retrain_handler.services.rollback import RollbackService
from retrain_handler.services.train import TrainingSources, TrainService
from retrain_handler.settings import LockSettings
from sklambda import aws
from sklambda.registry.factory import loader_for, registry_for
from sklambda.retraining.lock import RetrainingLock
from sklambda.retraining.runs import RunStore


def _lock(config: LockSettings) -> RetrainingLock:
    return RetrainingLock(
        aws.client("s3"),
        config.model_bucket,
        run_timeout=timedelta(seconds=config.run_timeout_seconds),
        cooldown=timedelta(minutes=config.cooldown_minutes),
    )


@cache
def guard_service() -> GuardService:
    config = settings.guard_settings()
    return GuardService(_lock(config), config.drift_alarms, config.performance_alarms)


@cache
def train_service() -> TrainService:
    config = settings.train_settings()
    sources = TrainingSources(
        bucket=config.model_bucket,
        training_prefix=config.training_prefix,
        labelled_prefix=config.labelled_prefix,
        labelled_lookback=timedelta(days=config.labelled_lookback_days),
        fresh_holdout_fraction=config.fresh_holdout_fraction,
        min_fresh_holdout_rows=config.min_fresh_holdout_rows,
    )
    return TrainService(aws.client("s3"), registry_for(config), sources, Path(config.work_dir))


@cache
def evaluate_service() -> EvaluateService:
    config = settings.evaluate_settings()
    # A zero TTL: the loader is used only to fetch, verify and unpickle named versions.
    loader = loader_for(config, ttl_seconds=0)
    return EvaluateService(aws.client("s3"), config.model_bucket, loader, config.policy())


@cache
def promote_service() -> PromoteService:
    config = settings.promote_settings()
    return PromoteService(aws.client("s3"), config.model_bucket, registry_for(config), config.watch)


@cache
def report_service() -> ReportService:
    config = settings.report_settings()
    return ReportService(
        RunStore(aws.client("s3"), config.model_bucket), _lock(config), registry_for(config)
    )


@cache
def rollback_service() -> RollbackService:
    config = settings.rollback_settings()
    return RollbackService(
        aws.client("s3"),
        config.model_bucket,
        registry_for(config),
        RunStore(aws.client("s3"), config.model_bucket),
    )


def reset() -> None:
    for factory in (
        guard_service,
        train_service,
        evaluate_service,
        promote_service,
        report_service,
        rollback_service,
    ):
        factory.cache_clear()
    for getter in (
        settings.guard_settings,
        settings.train_settings,
        settings.evaluate_settings,
        settings.promote_settings,
        settings.report_settings,
        settings.rollback_settings,
    ):
        getter.cache_clear()
    aws.client.cache_clear()

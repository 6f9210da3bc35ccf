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
def get_guard_service() -> GuardService:
    config = settings.get_guard_settings()
    return GuardService(_lock(config), config.drift_alarms, config.performance_alarms)


@cache
def get_train_service() -> TrainService:
    config = settings.get_train_settings()
    sources = TrainingSources(
        bucket=config.model_bucket,
        training_prefix=config.training_prefix,
        labelled_prefix=config.model_keys().labelled_root,
        labelled_lookback=timedelta(days=config.labelled_lookback_days),
        fresh_holdout_fraction=config.fresh_holdout_fraction,
        min_fresh_holdout_rows=config.min_fresh_holdout_rows,
    )
    return TrainService(
        aws.client("s3"),
        registry_for(config),
        sources,
        Path(config.work_dir),
        # Loads the champion to clone its pipeline; a zero TTL since versions are named.
        loader_for(config, ttl_seconds=0),
    )


@cache
def get_evaluate_service() -> EvaluateService:
    config = settings.get_evaluate_settings()
    # A zero TTL: the loader is used only to fetch, verify and unpickle named versions.
    loader = loader_for(config, ttl_seconds=0)
    return EvaluateService(
        aws.client("s3"),
        config.model_bucket,
        loader,
        config.policy(),
        inference_runtime=config.inference_runtime,
    )


@cache
def get_promote_service() -> PromoteService:
    config = settings.get_promote_settings()
    return PromoteService(
        aws.client("s3"),
        config.model_bucket,
        registry_for(config),
        config.watch,
        inference_runtime=config.inference_runtime,
    )


@cache
def get_report_service() -> ReportService:
    config = settings.get_report_settings()
    return ReportService(
        RunStore(aws.client("s3"), config.model_bucket), _lock(config), registry_for(config)
    )


@cache
def get_rollback_service() -> RollbackService:
    config = settings.get_rollback_settings()
    return RollbackService(
        aws.client("s3"),
        config.model_bucket,
        registry_for(config),
        RunStore(aws.client("s3"), config.model_bucket),
    )


def reset() -> None:
    for factory in (
        get_guard_service,
        get_train_service,
        get_evaluate_service,
        get_promote_service,
        get_report_service,
        get_rollback_service,
    ):
        factory.cache_clear()
    for getter in (
        settings.get_guard_settings,
        settings.get_train_settings,
        settings.get_evaluate_settings,
        settings.get_promote_settings,
        settings.get_report_settings,
        settings.get_rollback_settings,
    ):
        getter.cache_clear()
    aws.clear_clients()

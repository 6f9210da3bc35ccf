"""Cached factories: one set of adapters per execution environment.

Tests replace what they need with ``reset()`` and their own environment.
"""

from datetime import timedelta
from functools import cache

from batch_handler.adapters.executions import StateMachineStarter
from batch_handler.adapters.runs import RunStore
from batch_handler.adapters.s3io import ObjectStore
from batch_handler.runner import ModelSource, Runner, RunSizing
from batch_handler.services.batch import BatchService
from batch_handler.settings import BatchSettings, get_settings
from batch_handler.telemetry import BatchTelemetry
from sklambda import aws
from sklambda.monitoring.capture import DataCapture
from sklambda.monitoring.capture_factory import build_capture
from sklambda.observability import metrics
from sklambda.registry.factory import loader_for
from sklambda.registry.loader import ModelLoader

# A claim older than Lambda's longest timeout belongs to an invocation that died.
CLAIM_LEASE = timedelta(minutes=15)


def run_sizing(settings: BatchSettings) -> RunSizing:
    return RunSizing(
        read_chunk_bytes=settings.read_chunk_bytes,
        map_chunk_bytes=settings.map_chunk_bytes,
        max_concurrency=settings.max_concurrency,
        tolerated_failure_percentage=settings.tolerated_failure_percentage,
    )


@cache
def get_store() -> ObjectStore:
    return ObjectStore(aws.client("s3"), get_settings().model_bucket)


@cache
def get_loader() -> ModelLoader:
    return loader_for(get_settings())


@cache
def get_capture() -> DataCapture:
    settings = get_settings()
    return build_capture(settings, settings.model_name)


@cache
def get_batch_service() -> BatchService:
    settings = get_settings()
    runner = Runner(
        store=get_store(),
        models=ModelSource(get_loader()),
        executions=StateMachineStarter(aws.client("stepfunctions"), settings.state_machine_arn),
        sizing=run_sizing(settings),
        capture=get_capture(),
    )
    return BatchService(
        runner,
        RunStore(get_store(), CLAIM_LEASE),
        BatchTelemetry(metrics, settings.model_name),
        model_name=settings.model_name,
        distributed_threshold_bytes=settings.distributed_threshold_bytes,
        sweep_max_files=settings.sweep_max_files,
    )


def reset() -> None:
    get_batch_service.cache_clear()
    get_capture.cache_clear()
    get_loader.cache_clear()
    get_store.cache_clear()
    get_settings.cache_clear()
    aws.clear_clients()

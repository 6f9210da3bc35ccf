"""Prediction speed: the handler against a bare predict_proba, warm and cold, and what data
capture adds to it.

Warm: p50/p99 handler time for 1 and 100 rows (JSON parsing, validation, metrics included)
beside predict_proba on the same rows and model. Cold: a fresh process importing the handler
and fetching, verifying and loading the model from S3, beside a fresh process doing a bare
`import sklearn…; joblib.load(...)` of the same file. Capture: the same handler with capture
off, on at rate 1 as log lines (the template's path), and on at rate 1 through a Firehose
PutRecordBatch to the embedded AWS on loopback (the path before), calls interleaved; then the
same again in a child process with OMP_NUM_THREADS=1. Figures are printed, never asserted.
"""

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions" / "predict")]

WARM_REPEATS = 300
COLD_REPEATS = 3
CAPTURE_REPEATS = 200
# Each timed table row stops at its repeats or after this many seconds, whichever comes first:
# on a busy 2-core machine an OpenMP predict can stall for milliseconds per tree, and the full
# repeats would take many minutes. The tables print how many calls each row got.
ROW_BUDGET_SECONDS = 15.0
WARMUP_CALLS = 3
# Time spent inside capture_request by the log-line variant, ms per call (see _timed).
capture_ms: list[float] = []


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def time_pairs(first, second, repeats: int) -> tuple[list[float], list[float]]:
    """Alternate the two calls so both see the same machine load; returns ms samples."""
    samples = time_interleaved({"first": first, "second": second}, repeats)
    return samples["first"], samples["second"]


def setup_registry(workdir: Path):
    from sklambda import aws
    from sklambda.registry.bundle import publish_bundle
    from sklambda.training.data import load_bundled
    from sklambda.training.train import save_bundle, train_model
    from sklambda_local.functions import apply_environment
    from sklambda_local.provision import provision_registry
    from sklambda_local.template import LocalStack

    stack = LocalStack()
    registry = provision_registry(stack, aws.client("s3"), aws.client("kms"))
    trained = train_model(load_bundled("breast_cancer"), model_name=registry.model_name)
    manifest = save_bundle(trained, workdir / "bundle")
    registry.promote(publish_bundle(registry, workdir / "bundle").version or "")
    # The handler tables run with capture off; capture_comparison measures what it adds.
    env = apply_environment(
        stack, "PredictFunction", MODEL_CACHE_DIR=str(workdir / "cache"), CAPTURE_SAMPLING_RATE="0"
    )
    return stack, trained, manifest, env


def _handler_call(handler, context, trained, rows: int):
    from sklambda_local.apigw import proxy_event

    names = trained.manifest.feature_schema.names
    body = json.dumps(
        {
            "instances": [
                dict(zip(names, row.tolist(), strict=True))
                for row in trained.holdout_features[:rows]
            ]
        }
    )
    event = proxy_event("POST", "/predict", body)
    sink = io.StringIO()

    def call_handler() -> None:
        # stdout stands in for Lambda's log pipe: EMF blobs and capture lines go there.
        with redirect_stdout(sink):
            response = handler(event, context)
        sink.seek(0)
        sink.truncate()
        assert response["statusCode"] == 200, response["body"]

    return call_handler


def time_interleaved(
    calls: dict, repeats: int, budget_seconds: float = ROW_BUDGET_SECONDS
) -> dict[str, list[float]]:
    """One call of each in turn, ``repeats`` rounds, so all see the same load; ms samples.

    Stops early once ``budget_seconds`` have passed, and says so in one line."""
    for _ in range(WARMUP_CALLS):
        for call in calls.values():
            call()
    deadline = time.monotonic() + budget_seconds
    samples: dict[str, list[float]] = {label: [] for label in calls}
    for done in range(1, repeats + 1):
        for label, call in calls.items():
            started = time.perf_counter()
            call()
            samples[label].append((time.perf_counter() - started) * 1000)
        if done < repeats and time.monotonic() > deadline:
            # stderr: a caller may silence stdout while it measures.
            print(
                f"  (busy machine: {done} of {repeats} rounds in {budget_seconds:g} s)",
                file=sys.stderr,
            )
            break
    return samples


def _timed(capture):
    """Capture whose own time is recorded: a figure the machine's load cannot blur much."""
    inner = capture.capture_request

    def capture_request(**fields):
        started = time.perf_counter()
        try:
            return inner(**fields)
        finally:
            capture_ms.append((time.perf_counter() - started) * 1000)

    capture.capture_request = capture_request
    return capture


def capture_variants(stack) -> dict:
    """The prediction service with capture off, as log lines, and through Firehose."""
    from predict_handler import dependencies
    from predict_handler.services.prediction import PredictionService
    from predict_handler.telemetry import PredictionTelemetry
    from sklambda import aws
    from sklambda.monitoring.capture import DataCapture, FirehoseCaptureSink
    from sklambda.monitoring.capture_factory import build_log_capture
    from sklambda.monitoring.capture_settings import CaptureSamplingSettings
    from sklambda.monitoring.capture_telemetry import CaptureTelemetry
    from sklambda.observability import metrics
    from sklambda_local.provision import provision_delivery_stream

    settings = dependencies.get_settings()
    model_name = settings.model_name
    stream = provision_delivery_stream(stack, aws.client("firehose"), "CaptureDeliveryStream")
    on = CaptureSamplingSettings.model_validate(
        {**stack.function_environment("PredictFunction"), "CAPTURE_SAMPLING_RATE": 1.0}
    )
    captures = {
        "capture off": DataCapture(None, 0.0, CaptureTelemetry(metrics, model_name)),
        "log lines, rate 1": _timed(build_log_capture(on, model_name)),
        "Firehose, rate 1 (before)": DataCapture(
            FirehoseCaptureSink(aws.best_effort_client("firehose"), stream),
            1.0,
            CaptureTelemetry(metrics, model_name),
        ),
    }
    return {
        label: PredictionService(
            dependencies.get_loader(),
            PredictionTelemetry(metrics, model_name),
            settings.max_rows_per_request,
            capture,
        )
        for label, capture in captures.items()
    }


def _serving(shared, service, call_handler):
    """The handler call, answered by this service: the routes hold the cached getter, whose
    service (``shared``) hands the call over."""

    def call() -> None:
        shared.predict = service.predict
        call_handler()

    return call


def capture_comparison(stack, trained) -> None:
    from predict_handler import dependencies
    from sklambda_local.functions import import_handler
    from sklambda_local.local_api import LocalContext

    handler = import_handler(stack, "PredictFunction")
    context = LocalContext("PredictFunction", "benchmark")
    services = capture_variants(stack)
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    print(
        f"\ncapture, OMP_NUM_THREADS={threads}, up to {CAPTURE_REPEATS} interleaved calls or "
        f"{ROW_BUDGET_SECONDS:g} s each (ms)\n{'':<50}      p50      p99 | vs off p50   p99"
    )
    shared = dependencies.get_prediction_service()
    try:
        # Each variant is interleaved with capture off on its own: the Firehose calls' work in
        # the embedded AWS (a thread of this process) would otherwise spill into the next call.
        for variant in ("log lines, rate 1", "Firehose, rate 1 (before)"):
            for rows in (1, 100):
                calls = {
                    label: _serving(
                        shared, services[label], _handler_call(handler, context, trained, rows)
                    )
                    for label in ("capture off", variant)
                }
                capture_ms.clear()
                samples = time_interleaved(calls, CAPTURE_REPEATS)
                off50, off99 = percentiles(samples["capture off"])
                for label, timings in samples.items():
                    p50, p99 = percentiles(timings)
                    print(
                        f"  {rows:>3} row{'s' if rows > 1 else ' '} {label:<42} {p50:8.3f} "
                        f"{p99:8.3f} | {p50 / off50:9.2f}x {p99 / off99:5.2f}x"
                        f"  ({len(timings)} calls)"
                    )
                if capture_ms:
                    own50, own99 = percentiles(capture_ms)
                    label = "  of which capture_request"
                    print(
                        f"  {rows:>3} row{'s' if rows > 1 else ' '} {label:<42}"
                        f" {own50:8.3f} {own99:8.3f} | off + capture "
                        f"{(off50 + own50) / off50:.3f}x {(off99 + own99) / off99:.3f}x"
                    )
    finally:
        del shared.predict


def warm(stack, trained) -> list[tuple[str, float, float, float, float]]:
    from sklambda_local.functions import import_handler
    from sklambda_local.local_api import LocalContext

    handler = import_handler(stack, "PredictFunction")
    context = LocalContext("PredictFunction", "benchmark")
    results = []
    for rows in (1, 100):
        features = trained.holdout_features[:rows]
        call_handler = _handler_call(handler, context, trained, rows)
        handler_ms, bare_ms = time_pairs(
            call_handler, lambda f=features: trained.estimator.predict_proba(f), WARM_REPEATS
        )
        results.append(
            (
                f"{rows} row{'s' if rows > 1 else ''} ({len(handler_ms)} calls)",
                *percentiles(handler_ms),
                *percentiles(bare_ms),
            )
        )
    return results


COLD_OURS = """
import time, os, sys
started = time.perf_counter()
sys.path[:0] = [{root!r}, {function_dir!r}]
from predict_handler.dependencies import get_loader
import predict_handler.handlers.api
model = get_loader().current()
print(time.perf_counter() - started)
"""

COLD_BARE = """
import time
started = time.perf_counter()
import sklearn.ensemble, joblib
model = joblib.load({path!r})
print(time.perf_counter() - started)
"""


def cold(env: dict[str, str], artifact: Path, endpoint: str) -> tuple[float, float]:
    child_env = {
        **os.environ,
        **env,
        "AWS_ENDPOINT_URL": endpoint,
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    ours_code = COLD_OURS.format(root=str(ROOT), function_dir=str(ROOT / "functions" / "predict"))
    bare_code = COLD_BARE.format(path=str(artifact))
    ours, bare = [], []
    for _ in range(COLD_REPEATS):
        with tempfile.TemporaryDirectory() as cache:
            child_env["MODEL_CACHE_DIR"] = cache
            ours.append(
                float(subprocess.check_output([sys.executable, "-c", ours_code], env=child_env))
            )
        bare.append(
            float(subprocess.check_output([sys.executable, "-c", bare_code], env=child_env))
        )
    return statistics.median(ours), statistics.median(bare)


def capture_only() -> None:
    from sklambda_local.embedded_aws import embedded_aws

    with tempfile.TemporaryDirectory() as tmp, embedded_aws():
        stack, trained, _, _ = setup_registry(Path(tmp))
        capture_comparison(stack, trained)


def capture_single_threaded() -> None:
    """OpenMP threads are fixed at import, so the single-threaded figures need a new process."""
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, __file__, "--capture-only"]
    print(
        subprocess.run(command, env=environment, capture_output=True, text=True, check=True).stdout
    )


def main() -> None:
    from sklambda_local.embedded_aws import embedded_aws

    if "--capture-only" in sys.argv:
        capture_only()
        return
    with tempfile.TemporaryDirectory() as tmp, embedded_aws() as endpoint:
        workdir = Path(tmp)
        stack, trained, manifest, env = setup_registry(workdir)
        print(
            f"model: {manifest.estimator}, {len(manifest.feature_schema.features)} features, "
            f"{manifest.artifact.size_bytes / 1024:.0f} KiB artifact"
        )
        print(
            f"\nwarm, up to {WARM_REPEATS} calls or {ROW_BUDGET_SECONDS:g} s each (ms)\n"
            f"{'':<32} handler p50   p99 |  bare p50   p99 | ratio p50"
        )
        rows = warm(stack, trained)
        for label, h50, h99, b50, b99 in rows:
            print(
                f"  {label:<30} {h50:9.3f} {h99:7.3f} | {b50:9.3f} {b99:7.3f} | {h50 / b50:6.2f}x"
            )
        ours, bare = cold(env, workdir / "bundle" / "model.joblib", endpoint)
        print(f"\ncold start, median of {COLD_REPEATS} fresh processes")
        print(f"  imports + fetch + verify + load: {ours * 1000:7.0f} ms")
        print(f"  bare import + joblib.load:       {bare * 1000:7.0f} ms")
        print("\nratios (targets: warm 1 row <= 1.3x, cold <= 1.2x)")
        print(f"  warm 1 row p50:   {rows[0][1] / rows[0][3]:.2f}x")
        print(f"  warm 100 rows p50: {rows[1][1] / rows[1][3]:.2f}x")
        print(f"  cold start:        {ours / bare:.2f}x")
        capture_comparison(stack, trained)
    capture_single_threaded()


if __name__ == "__main__":
    main()

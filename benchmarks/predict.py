"""Prediction speed: the handler against a bare predict_proba, warm and cold.

Warm: p50/p99 handler time for 1 and 100 rows (JSON parsing, validation, metrics included)
beside predict_proba on the same rows and model. Cold: a fresh process importing the handler
and fetching, verifying and loading the model from S3, beside a fresh process doing a bare
`import sklearn…; joblib.load(...)` of the same file. Figures are printed, never asserted.
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
COLD_REPEATS = 5


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def time_pairs(first, second, repeats: int) -> tuple[list[float], list[float]]:
    """Alternate the two calls so both see the same machine load; returns ms samples."""
    for _ in range(20):
        first()
        second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for call, bucket in ((first, samples[0]), (second, samples[1])):
            started = time.perf_counter()
            call()
            bucket.append((time.perf_counter() - started) * 1000)
    return samples


def setup_registry(workdir: Path):
    from sklambda import aws
    from sklambda.registry.bundle import publish_bundle
    from sklambda.registry.store import ModelRegistry
    from sklambda.training.data import load_bundled
    from sklambda.training.train import save_bundle, train_model
    from sklambda_local.functions import apply_environment
    from sklambda_local.provision import provision_bucket
    from sklambda_local.template import LocalStack

    stack = LocalStack()
    bucket = provision_bucket(stack, aws.client("s3"), "ModelBucket")
    registry = ModelRegistry(aws.client("s3"), bucket, stack.parameter("ModelName"))
    trained = train_model(load_bundled("breast_cancer"), model_name=registry.model_name)
    manifest = save_bundle(trained, workdir / "bundle")
    registry.promote(publish_bundle(registry, workdir / "bundle").version or "")
    # Capture's Firehose call is measured by benchmarks/capture.py; here it would only time moto.
    env = apply_environment(
        stack, "PredictFunction", MODEL_CACHE_DIR=str(workdir / "cache"), CAPTURE_SAMPLING_RATE="0"
    )
    return stack, trained, manifest, env


def warm(stack, trained) -> list[tuple[str, float, float, float, float]]:
    from sklambda_local.apigw import proxy_event
    from sklambda_local.functions import import_handler
    from sklambda_local.local_api import LocalContext

    handler = import_handler(stack, "PredictFunction")
    context = LocalContext("PredictFunction", "benchmark")
    results = []
    for rows in (1, 100):
        features = trained.holdout_features[:rows]
        names = trained.manifest.feature_schema.names
        body = json.dumps(
            {"instances": [dict(zip(names, row.tolist(), strict=True)) for row in features]}
        )
        event = proxy_event("POST", "/predict", body)
        sink = io.StringIO()

        def call_handler(event=event, sink=sink):
            with redirect_stdout(sink):
                response = handler(event, context)
            sink.seek(0)
            sink.truncate()
            assert response["statusCode"] == 200, response["body"]

        handler_ms, bare_ms = time_pairs(
            call_handler, lambda f=features: trained.estimator.predict_proba(f), WARM_REPEATS
        )
        results.append(
            (
                f"{rows} row{'s' if rows > 1 else ''}",
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


def main() -> None:
    from sklambda_local.embedded_aws import embedded_aws

    with tempfile.TemporaryDirectory() as tmp, embedded_aws() as endpoint:
        workdir = Path(tmp)
        stack, trained, manifest, env = setup_registry(workdir)
        print(
            f"model: {manifest.estimator}, {len(manifest.feature_schema.features)} features, "
            f"{manifest.artifact.size_bytes / 1024:.0f} KiB artifact"
        )
        print(
            f"\nwarm, {WARM_REPEATS} calls each (ms)      handler p50   p99 "
            "|  bare p50   p99 | ratio p50"
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


if __name__ == "__main__":
    main()

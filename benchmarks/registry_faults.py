"""PredictFunction while its registry accepts connections and never answers.

A real silent TCP server on loopback stands in for S3. Printed: the time a cold request takes
to get its 503, and warm request latency while the registry hangs (with a TTL of 0, so every
request re-checks the champion: the worst case; with the template's TTL one request per TTL
pays it), beside warm latency with the registry up. Then what signing costs a load: reading
and parsing the manifest with and without its kms:Verify (the embedded KMS on loopback; real
KMS adds a network round trip), beside a whole load. Figures are printed, never asserted.
"""

import io
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions" / "predict")]
os.environ.update(
    {
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Sklambda",
        "POWERTOOLS_SERVICE_NAME": "sklambda",
    }
)

WARM_REPEATS = 20
HANG_REPEATS = 5
SIGNING_REPEATS = 30


def seed(workdir: Path):
    from sklambda import aws
    from sklambda.registry.bundle import publish_bundle
    from sklambda.training.data import load_bundled
    from sklambda.training.train import save_bundle, train_model
    from sklambda_local.provision import provision_registry
    from sklambda_local.template import LocalStack

    stack = LocalStack()
    registry = provision_registry(stack, aws.client("s3"), aws.client("kms"))
    trained = train_model(load_bundled("breast_cancer"), model_name=registry.model_name)
    save_bundle(trained, workdir / "bundle")
    registry.promote(publish_bundle(registry, workdir / "bundle").version or "")
    return stack, trained, registry


def signing_cost(registry, workdir: Path) -> None:
    from predict_handler.settings import get_settings
    from sklambda.registry.factory import verifier_for
    from sklambda.registry.loader import ModelLoader

    verifier = verifier_for(get_settings())
    version = registry.alias().pointer.version
    samples: dict[str, list[float]] = {"manifest": [], "manifest + kms:Verify": [], "load": []}
    loader = ModelLoader(registry, workdir / "signing-cache", 0, verifier=verifier)
    calls = {
        "manifest": lambda: registry.manifest(version),
        "manifest + kms:Verify": lambda: registry.verified_manifest(version, verifier),
        "load": lambda: loader.load_version(version),
    }
    for _ in range(SIGNING_REPEATS):
        for label, call in calls.items():
            started = time.perf_counter()
            call()
            samples[label].append((time.perf_counter() - started) * 1000)
    print(f"\nsigning cost per model load, median of {SIGNING_REPEATS} (ms)")
    for label, values in samples.items():
        print(f"  {label:<44} {statistics.median(values):8.1f}")


def timed_calls(handler, event, repeats: int) -> tuple[list[float], set[int]]:
    from sklambda_local.local_api import LocalContext

    context = LocalContext("PredictFunction", "benchmark")
    samples, statuses = [], set()
    for _ in range(repeats):
        with redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            response = handler(event, context)
            samples.append(time.perf_counter() - started)
        statuses.add(response["statusCode"])
    return samples, statuses


def describe(label: str, samples: list[float], statuses: set[int]) -> None:
    print(
        f"  {label:<44} p50 {statistics.median(samples) * 1000:8.1f} ms   "
        f"max {max(samples) * 1000:8.1f} ms   status {sorted(statuses)}   "
        f"(first {samples[0] * 1000:.0f} ms)"
    )


def main() -> None:
    from predict_handler import dependencies
    from predict_handler.settings import get_settings
    from sklambda import aws
    from sklambda.registry.factory import serving_registries
    from sklambda_local.apigw import proxy_event
    from sklambda_local.embedded_aws import embedded_aws
    from sklambda_local.functions import apply_environment, import_handler
    from sklambda_local.hanging_endpoint import hanging_endpoint

    with tempfile.TemporaryDirectory() as tmp, embedded_aws() as endpoint:
        stack, trained, registry = seed(Path(tmp))
        apply_environment(
            stack,
            "PredictFunction",
            MODEL_CACHE_DIR=str(Path(tmp) / "cache"),
            CAPTURE_SAMPLING_RATE="0",
            MODEL_CACHE_TTL_SECONDS="0",
        )
        names = trained.manifest.feature_schema.names
        row = dict(zip(names, trained.holdout_features[0].tolist(), strict=True))
        event = proxy_event("POST", "/predict", json.dumps({"instances": [row]}))
        handler = import_handler(stack, "PredictFunction")
        dependencies.reset()
        print("PredictFunction, TTL 0 (every request re-reads the champion alias)")
        describe("warm, registry up", *timed_calls(handler, event, WARM_REPEATS))

        with hanging_endpoint() as silent:
            os.environ["AWS_ENDPOINT_URL"] = silent
            aws.clear_clients()
            dependencies.get_loader().reconnect(*serving_registries(get_settings()))
            describe("warm, registry hanging", *timed_calls(handler, event, HANG_REPEATS))
            cold = []
            statuses: set[int] = set()
            for _ in range(HANG_REPEATS):
                dependencies.reset()
                samples, seen = timed_calls(handler, event, 1)
                cold += samples
                statuses |= seen
            describe("cold, registry hanging (time to the 503)", cold, statuses)
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        aws.clear_clients()
        signing_cost(registry, Path(tmp))


if __name__ == "__main__":
    main()

"""The two inference runtimes side by side: cold start, warm handler, batch, parity, size.

Same model (the default pipeline on breast_cancer), same rows. Cold starts are fresh
processes, alternating ONNX-runtime starts with bare scikit-learn starts; warm calls and batch
rounds are interleaved so both runtimes see the same machine load. The same tables are printed
again from a child process with OMP_NUM_THREADS=1. Figures are printed, never asserted; the
last line printed is the cold-start ratio.
"""

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [
    str(ROOT),
    str(ROOT / "benchmarks"),
    str(ROOT / "functions" / "predict"),
    str(ROOT / "functions" / "batch"),
]

from predict import (  # noqa: E402
    ROW_BUDGET_SECONDS,
    _handler_call,
    percentiles,
    time_interleaved,
)

# The converted graph's bytes, read once the bundle is written.
GRAPH: dict[str, bytes] = {}

COLD_REPEATS = 5
WARM_REPEATS = 300
BATCH_ROWS = 50_000
BATCH_ROUNDS = 3
PARITY_ROWS = 10_000

COLD_ONNX = """
import time, sys
started = time.perf_counter()
import numpy as np
from predict_handler.dependencies import get_loader
import predict_handler.handlers.api
model = get_loader().current()
model.predictor.predict(np.asarray([{row!r}]))
print(time.perf_counter() - started, "sklearn" in sys.modules, "scipy" in sys.modules)
"""

COLD_BARE = """
import time
started = time.perf_counter()
import sklearn.ensemble, joblib
import numpy as np
model = joblib.load({path!r})
model.predict_proba(np.asarray([{row!r}]))
print(time.perf_counter() - started)
"""


def setup(workdir: Path):
    from sklambda import aws
    from sklambda.registry.bundle import publish_bundle
    from sklambda.training.data import load_bundled
    from sklambda.training.train import save_bundle, train_model
    from sklambda_local.functions import apply_environment
    from sklambda_local.provision import provision_registry
    from sklambda_local.template import LocalStack

    stack = LocalStack(parameter_overrides={"InferenceRuntime": "onnx"})
    registry = provision_registry(stack, aws.client("s3"), aws.client("kms"))
    trained = train_model(load_bundled("breast_cancer"), model_name=registry.model_name)
    manifest = save_bundle(trained, workdir / "bundle")
    registry.promote(publish_bundle(registry, workdir / "bundle").version or "")
    apply_environment(
        stack, "PredictFunction", MODEL_CACHE_DIR=str(workdir / "cache"), CAPTURE_SAMPLING_RATE="0"
    )
    return stack, trained, manifest


def parity_on_many_rows(trained, manifest) -> str:
    """The holdout's parity, and the same check on 10,000 rows drawn around it."""
    import numpy as np

    from sklambda.runtime.onnx_runtime import predictor_for
    from sklambda.runtime.scikit_learn import SklearnPredictor
    from sklambda.training.onnx_export import measure_parity

    rng = np.random.default_rng(0)
    base = trained.holdout_features[rng.integers(0, len(trained.holdout_features), PARITY_ROWS)]
    rows = base * rng.normal(1.0, 0.05, base.shape)
    graph = predictor_for(
        GRAPH["bytes"], "classification", manifest.classes, manifest.feature_schema
    )
    reference = SklearnPredictor(trained.estimator, "classification").predict(rows)
    wide = measure_parity("classification", reference, graph.predict(rows))
    held = manifest.onnx.parity
    return (
        f"parity: holdout {held.rows} rows, {held.label_mismatches} label mismatches, "
        f"max |Δp| {held.max_abs_difference:.1e}; {wide.rows:,} perturbed rows, "
        f"{wide.label_mismatches} label mismatches, max |Δp| {wide.max_abs_difference:.1e} "
        f"(tolerance {held.tolerance:g})"
    )


def cold(stack, trained, workdir: Path, endpoint: str) -> tuple[float, float, str]:
    from sklambda_local.functions import apply_environment

    env = {
        **os.environ,
        **apply_environment(stack, "PredictFunction", CAPTURE_SAMPLING_RATE="0"),
        "AWS_ENDPOINT_URL": endpoint,
        # As in Lambda (Tracing: Active): X-Ray takes its Lambda path, which builds no
        # sampling client; outside Lambda it would build two, a cost Lambda never pays.
        "LAMBDA_TASK_ROOT": str(ROOT / "functions" / "predict"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / "predict")]),
    }
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    row = trained.holdout_features[0].tolist()
    ours_code = COLD_ONNX.format(row=row)
    bare_code = COLD_BARE.format(path=str(workdir / "bundle" / "model.joblib"), row=row)
    ours, bare, imported = [], [], ""
    for attempt in range(COLD_REPEATS):
        env["MODEL_CACHE_DIR"] = str(workdir / f"cold-{attempt}")
        seconds, has_sklearn, has_scipy = _output(ours_code, env).split()
        ours.append(float(seconds))
        imported = f"sklearn imported: {has_sklearn}, scipy imported: {has_scipy}"
        bare.append(float(_output(bare_code, env)))
    return statistics.median(ours), statistics.median(bare), imported


def _output(code: str, env: dict[str, str]) -> str:
    """The script's stdout; its stderr (X-Ray's notes on calls made during init) only if it
    fails."""
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr)
    return done.stdout


def warm(stack, trained) -> dict[int, dict[str, tuple[float, float, int]]]:
    """Handler under each runtime, interleaved with the bare predict_proba
    (ms p50, p99, calls timed)."""
    from predict_handler import dependencies
    from predict_handler.services.prediction import PredictionService
    from predict_handler.telemetry import PredictionTelemetry
    from sklambda.monitoring.capture import DataCapture
    from sklambda.monitoring.capture_telemetry import CaptureTelemetry
    from sklambda.observability import metrics
    from sklambda.registry.factory import loader_for
    from sklambda_local.functions import import_handler
    from sklambda_local.local_api import LocalContext

    handler = import_handler(stack, "PredictFunction")
    context = LocalContext("PredictFunction", "benchmark")
    settings = dependencies.get_settings()
    name = settings.model_name
    services = {}
    for runtime in ("onnx", "sklearn"):
        config = settings.model_copy(update={"inference_runtime": runtime})
        services[runtime] = PredictionService(
            loader_for(config),
            PredictionTelemetry(metrics, name),
            settings.max_rows_per_request,
            DataCapture(None, 0.0, CaptureTelemetry(metrics, name)),
        )
    # The routes hold the cached service getter; its service answers with the one under test.
    shared = dependencies.get_prediction_service()
    results = {}
    try:
        for rows in (1, 100):
            call = _handler_call(handler, context, trained, rows)
            features = trained.holdout_features[:rows]

            def serve(service, call=call):
                def run() -> None:
                    shared.predict = service.predict  # type: ignore[method-assign]
                    call()

                return run

            samples = time_interleaved(
                {
                    "handler, onnx": serve(services["onnx"]),
                    "handler, sklearn": serve(services["sklearn"]),
                    "bare predict_proba": lambda f=features: trained.estimator.predict_proba(f),
                },
                WARM_REPEATS,
            )
            results[rows] = {
                label: (*percentiles(times), len(times)) for label, times in samples.items()
            }
    finally:
        del shared.predict
    return results


def batch(trained, manifest) -> dict[str, float]:
    """Rows/s of one CSV scored end to end (S3 → S3) by each runtime, rounds interleaved."""
    from moto import mock_aws

    from batch_handler.adapters.s3io import ObjectStore
    from batch_handler.dependencies import run_sizing
    from batch_handler.models import ObjectRef
    from batch_handler.runner import Runner
    from batch_handler.settings import BatchSettings
    from sklambda.monitoring.capture import DataCapture
    from sklambda.registry.loader import LoadedModel
    from sklambda.runtime.onnx_runtime import predictor_for
    from sklambda.runtime.scikit_learn import SklearnPredictor
    from sklambda_local.template import LocalStack

    served = manifest.model_copy(update={"version": "vbench"})
    models = {
        "onnx": LoadedModel(
            served,
            predictor_for(
                GRAPH["bytes"], "classification", manifest.classes, manifest.feature_schema
            ),
            0,
        ),
        "sklearn": LoadedModel(served, SklearnPredictor(trained.estimator, "classification"), 0),
    }
    names = manifest.feature_schema.names
    body = [",".join(map(repr, row)) for row in trained.holdout_features.tolist()]
    lines = ["customer_id," + ",".join(names)]
    lines += [f"c{index}," + body[index % len(body)] for index in range(BATCH_ROWS)]
    text = ("\n".join(lines) + "\n").encode()
    settings = BatchSettings.from_environment(
        LocalStack().function_environment("BatchScoreFunction")
    )

    class Champion:
        def __init__(self, model):
            self.model = model

        def champion(self):
            return self.model

    times: dict[str, list[float]] = {runtime: [] for runtime in models}
    with mock_aws():
        import boto3

        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench-bucket")
        s3.put_object(Bucket="bench-bucket", Key="incoming/bench.csv", Body=text)
        ref = ObjectRef(bucket="bench-bucket", key="incoming/bench.csv", size=len(text))
        no_capture = DataCapture(None, 0.0, failures=None)  # type: ignore[arg-type]
        for _ in range(BATCH_ROUNDS):
            for runtime, model in models.items():
                runner = Runner(
                    ObjectStore(s3, "bench-bucket"),
                    Champion(model),  # type: ignore[arg-type]
                    None,  # type: ignore[arg-type]
                    run_sizing(settings),
                    no_capture,
                )
                started = time.perf_counter()
                summary = runner.score_file(ref, datetime.now(UTC))
                times[runtime].append(time.perf_counter() - started)
                assert summary.rows_scored == BATCH_ROWS
    return {runtime: BATCH_ROWS / min(samples) for runtime, samples in times.items()}


def sizes() -> str:
    build = ROOT / ".aws-sam" / "build"
    if not (build / "OnnxLayer").is_dir():
        return "size: run `make sizes` first (no .aws-sam/build/OnnxLayer)"
    sys.path.insert(0, str(ROOT / "scripts"))
    from check_sizes import measure

    lean = measure(build / "OnnxLayer").unzipped + measure(build / "PredictFunction").unzipped
    full = measure(build / "ModelLayer").unzipped + measure(build / "PredictFunction").unzipped
    return (
        f"size unzipped, PredictFunction + layer: onnx {lean / 2**20:.1f} MiB (target ≤ 100), "
        f"sklearn {full / 2**20:.1f} MiB"
    )


def run(single_threaded: bool) -> None:
    from sklambda_local.embedded_aws import embedded_aws

    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    with (
        tempfile.TemporaryDirectory() as tmp,
        embedded_aws() as endpoint,
        redirect_stdout(io.StringIO()) as quiet,
    ):
        workdir = Path(tmp)
        stack, trained, manifest = setup(workdir)
        GRAPH["bytes"] = (workdir / "bundle" / "model.onnx").read_bytes()
        parity = parity_on_many_rows(trained, manifest)
        ours, bare, imported = cold(stack, trained, workdir, endpoint)
        warm_figures = warm(stack, trained)
        # Last: its own mock_aws resets the embedded AWS's state when it ends.
        batch_figures = batch(trained, manifest)
    del quiet
    print(f"\n== OMP_NUM_THREADS={threads}; {manifest.estimator}, 30 features")
    print(parity)
    print(
        f"warm, up to {WARM_REPEATS} interleaved calls or {ROW_BUDGET_SECONDS:g} s per row count"
        " (ms)   p50      p99 | p50 vs bare | calls"
    )
    for rows, figures in warm_figures.items():
        bare50 = figures["bare predict_proba"][0]
        for label, (p50, p99, calls) in figures.items():
            print(
                f"  {rows:>3} rows {label:<20} {p50:8.3f} {p99:8.3f} | {p50 / bare50:6.2f}x"
                f" | {calls}"
            )
    print(
        f"batch {BATCH_ROWS:,} rows end to end: onnx {batch_figures['onnx']:,.0f} rows/s, "
        f"sklearn {batch_figures['sklearn']:,.0f} rows/s"
    )
    print(f"cold start, median of {COLD_REPEATS} fresh processes ({imported} under onnx)")
    print(f"  onnx: imports + fetch + verify + load + first prediction {ours * 1000:6.0f} ms")
    print(f"  bare: import sklearn + joblib.load + predict_proba        {bare * 1000:6.0f} ms")
    if single_threaded:
        return
    print("\nratios (targets)")
    one, hundred = warm_figures[1], warm_figures[100]
    print(
        f"  handler 1 row p50, onnx / bare:      "
        f"{one['handler, onnx'][0] / one['bare predict_proba'][0]:.2f}x (≤ 0.25)"
    )
    print(
        f"  handler 100 rows p50, onnx / bare:   "
        f"{hundred['handler, onnx'][0] / hundred['bare predict_proba'][0]:.2f}x (≤ 0.5)"
    )
    print(
        f"  handler 100 rows p50, sklearn / bare: "
        f"{hundred['handler, sklearn'][0] / hundred['bare predict_proba'][0]:.2f}x (≤ 1.5)"
    )
    print(
        f"  batch rows/s, onnx / sklearn:        "
        f"{batch_figures['onnx'] / batch_figures['sklearn']:.2f}x (≥ 2)"
    )
    print(f"  {sizes()}")
    child = subprocess.run(
        [sys.executable, __file__, "--single-threaded"],
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    print(child.stdout.rstrip())
    print(f"\ncold start, onnx / bare scikit-learn: {ours / bare:.2f}x (≤ 0.4)")


if __name__ == "__main__":
    run(single_threaded="--single-threaded" in sys.argv)

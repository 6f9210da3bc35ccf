"""Cold start of PredictFunction as Lambda reports it, beside an in-process measurement.

`sam local invoke` (a new container each time, the host-architecture build of the slimmed
layer) prints Lambda's REPORT line: Init Duration and Duration. The in-process figure is a
fresh Python process importing the handler and loading the champion from the same moto server.
Figures are printed, never asserted. Where there is no container runtime, no sam CLI, or no
REPORT line, it says so in one line and exits 0, so `make bench` runs the other benchmarks.
"""

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

REPEATS = 3
FUNCTION = "PredictFunction"
IN_PROCESS = """
import time
started = time.perf_counter()
import predict_handler.handlers.api
from predict_handler.dependencies import get_loader
imported = time.perf_counter()
get_loader().current()
loaded = time.perf_counter()
print((imported - started) * 1000, (loaded - imported) * 1000)
"""


def seed_champion(aws, workdir: Path) -> str:
    from sklambda.registry.bundle import publish_bundle
    from sklambda.training.data import load_bundled
    from sklambda.training.train import save_bundle, train_model

    registry = aws.registry()
    trained = train_model(load_bundled("breast_cancer"), model_name=registry.model_name)
    save_bundle(trained, workdir / "bundle")
    manifest = publish_bundle(registry, workdir / "bundle")
    registry.promote(manifest.version or "")
    return manifest.version or ""


def in_process(aws, workdir: Path) -> list[tuple[float, float]]:
    environment = {
        **os.environ,
        **aws.stack.function_environment(FUNCTION),
        "MODEL_BUCKET": aws.bucket,
        "MODEL_CACHE_DIR": str(workdir / "cache"),
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONPATH": str(ROOT / "functions" / "predict"),
    }
    samples = []
    for attempt in range(REPEATS):
        environment["MODEL_CACHE_DIR"] = str(workdir / f"cache-{attempt}")
        output = subprocess.run(
            [sys.executable, "-c", IN_PROCESS],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        imports_ms, load_ms = map(float, output.strip().splitlines()[-1].split())
        samples.append((imports_ms, load_ms))
    return samples


def one_line(error: BaseException) -> str:
    """An exception as one short line: sam's stderr runs to many lines."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}"


def main() -> int:
    from sklambda_local.containers import container_runtime_status

    available, reason = container_runtime_status()
    if not available:
        print(f"coldstart: skipped, sam local needs a container runtime: {reason}")
        return 0
    from sklambda_local.local_build import build_for_host
    from sklambda_local.sam_local import invoke, local_aws

    try:
        build_dir = build_for_host()
    except (OSError, RuntimeError) as error:  # no sam CLI, or sam build failed
        print(f"coldstart: skipped, sam local cannot run: {one_line(error)}")
        return 0
    event = ROOT / "events" / "predict_one_row.json"
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as cleanup:
        try:
            aws = cleanup.enter_context(local_aws(Path(scratch)))
        except Exception as error:  # the container network or the service did not come up
            print(f"coldstart: skipped, the embedded AWS for sam local failed: {one_line(error)}")
            return 0
        version = seed_champion(aws, Path(scratch))
        reports, missing = sam_local_reports(
            lambda: invoke(aws, build_dir, FUNCTION, event), version
        )
        local = in_process(aws, Path(scratch))

    imports = statistics.median(sample[0] for sample in local)
    load = statistics.median(sample[1] for sample in local)
    print(f"cold start of {FUNCTION}, median of {REPEATS} (ms):")
    if missing:
        print(f"  sam local invoke: no figures, {missing}")
    else:
        init = statistics.median(report.init_ms or 0.0 for report in reports)
        duration = statistics.median(report.duration_ms for report in reports)
        print(f"  sam local invoke REPORT   Init Duration {init:8.1f}   Duration {duration:8.1f}")
        print(f"                            total         {init + duration:8.1f}")
    print(f"  fresh process             imports       {imports:8.1f}   model load {load:8.1f}")
    print(f"                            total         {imports + load:8.1f}")
    if not missing:
        print(
            "  note: the runtime interface emulator starts the runtime on the first invoke, so "
            "its\n  Init Duration stays near zero and imports + model load land in Duration; in "
            "AWS they\n  are reported as Init Duration (or Restore Duration with SnapStart)."
        )
    return 0


def sam_local_reports(run: Any, version: str) -> tuple[list[Any], str | None]:
    """REPORT lines of REPEATS invokes, or why there are none (said in one line, not raised)."""
    reports = []
    for _ in range(REPEATS):
        try:
            invocation = run()
        except Exception as error:  # a benchmark reports why; the others still run
            return [], f"sam local invoke failed: {one_line(error)}"
        body = json.loads(invocation.payload.get("body") or "{}")
        if body.get("model_version") != version:
            return [], f"the invoke did not serve {version}: {' '.join(str(body).split())[:200]}"
        if invocation.report is None:
            return [], "sam local invoke printed no REPORT line (the emulator's log was cut short)"
        reports.append(invocation.report)
    return reports, None


if __name__ == "__main__":
    sys.exit(main())

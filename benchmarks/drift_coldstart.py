"""Cold start of DriftFunction's code: a fresh Python process imports the handler module, then
runs its first drift evaluation and HTML rendering (30 features, 5,000 current rows).

S3 is left out so the figure is the code's own cost: imports (numpy, scipy, pydantic,
Powertools) and the first call of each statistic. Printed, never asserted.
Run from the repository root: python benchmarks/drift_coldstart.py
"""

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

REPEATS = 5
FUNCTION = "DriftFunction"
FRESH_PROCESS = """
import time
started = time.perf_counter()
import drift_handler.handlers.drift
from datetime import UTC, datetime
from drift_handler.html_report import ReportContext, render_html
from sklambda.drift import build_baseline, evaluate_drift
imported = time.perf_counter()
import numpy as np
rng = np.random.default_rng(0)
specs = [(f"x{i}", "numeric") for i in range(25)] + [(f"c{i}", "categorical") for i in range(5)]
def frame(rows):
    matrix = np.empty((rows, 30), dtype=object)
    matrix[:, :25] = rng.normal(size=(rows, 25))
    matrix[:, 25:] = rng.choice(["a", "b", "c"], size=(rows, 5))
    return matrix
baseline = build_baseline(specs, frame(5_000), rng.integers(0, 2, 5_000), task="classification")
built = time.perf_counter()
report = evaluate_drift(baseline, frame(5_000), rng.integers(0, 2, 5_000))
now = datetime.now(UTC)
render_html(report, ReportContext(model_name="m", model_version="v1", window=(now, now)))
evaluated = time.perf_counter()
print((imported - started) * 1000, (evaluated - built) * 1000)
"""


def main() -> int:
    from sklambda_local.template import LocalStack

    environment = {
        **os.environ,
        **LocalStack().function_environment(FUNCTION),
        "MODEL_BUCKET": "bucket",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "functions" / "drift"), str(ROOT / "layers" / "model")]
        ),
    }
    samples = []
    for _ in range(REPEATS):
        output = subprocess.run(
            [sys.executable, "-c", FRESH_PROCESS],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        samples.append(tuple(map(float, output.strip().splitlines()[-1].split())))
    imports = statistics.median(sample[0] for sample in samples)
    first = statistics.median(sample[1] for sample in samples)
    print(f"cold start of {FUNCTION}'s code, fresh process, median of {REPEATS} (ms):")
    print(
        f"  imports {imports:8.1f}   first evaluation + HTML {first:8.1f}"
        f"   total {imports + first:8.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

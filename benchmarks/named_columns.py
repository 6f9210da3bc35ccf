"""Serving a pipeline that selects columns by name: a DataFrame library vs positions.

Prints, never asserts:
  - unzipped size of pandas, polars and pyarrow for the layer's platform (arm64, Python 3.13),
    from the wheels `pip download` fetches (needs the package index), with and without tests;
  - the import time each adds to a cold start, median of interleaved fresh processes;
  - one-row and 100-row predict latency of a ColumnTransformer pipeline, fed a pandas
    DataFrame (what it was fitted on) vs the object array serving builds, with the fitted
    name selections resolved to positions (sklambda.named_columns).
"""

import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROUNDS = 7
WHEELS = {"pandas": "pandas==3.1.1", "polars": "polars-runtime-32", "pyarrow": "pyarrow"}


def wheel_sizes() -> None:
    with tempfile.TemporaryDirectory() as work:
        for name, requirement in WHEELS.items():
            done = subprocess.run(
                [sys.executable, "-m", "pip", "download", requirement, "--no-deps", "-q",
                 "--only-binary=:all:", "--python-version", "3.13", "--platform",
                 "manylinux_2_28_aarch64", "--platform", "manylinux2014_aarch64", "-d", work],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            found = sorted(Path(work).glob(f"{name.replace('-', '_')}*.whl"))
            if done.returncode or not found:
                print(f"{name:8} size: not measured (pip download failed)")
                continue
            with zipfile.ZipFile(found[-1]) as wheel:
                sizes = [(item.filename, item.file_size) for item in wheel.infolist()]
            total = sum(size for _, size in sizes) / 2**20
            tests = sum(size for path, size in sizes if "/tests/" in path) / 2**20
            print(f"{name:8} unzipped {total:6.1f} MiB, {total - tests:6.1f} MiB without tests")


def import_seconds(module: str) -> float:
    code = f"import time; s = time.perf_counter(); import {module}; print(time.perf_counter() - s)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def import_times() -> None:
    modules = ["numpy", "sklearn.compose", "pandas"]
    timings: dict[str, list[float]] = {module: [] for module in modules}
    for _ in range(ROUNDS):
        for module in modules:
            timings[module].append(import_seconds(module))
    for module in modules:
        print(f"import {module:16} median {statistics.median(timings[module]) * 1000:7.1f} ms")
    extra = statistics.median(
        [pandas - numpy for pandas, numpy in zip(timings["pandas"], timings["numpy"], strict=True)]
    )
    print(f"pandas adds about {extra * 1000:.0f} ms to a cold start on top of numpy")


def latency() -> None:
    import copy

    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from sklambda.named_columns import select_by_position

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "town": rng.choice(["Lille", "Paris", "Lyon"], 2000),
            "size": rng.normal(size=2000),
            "rooms": rng.integers(1, 6, 2000).astype(float),
        }
    )
    label = (frame["size"] > 0).to_numpy()
    columns = ColumnTransformer(
        [("text", OneHotEncoder(handle_unknown="ignore"), ["town"]),
         ("numbers", StandardScaler(), ["size", "rooms"])]
    )  # fmt: skip
    fitted = make_pipeline(columns, LogisticRegression()).fit(frame, label)
    positional = copy.deepcopy(fitted)
    select_by_position(positional)
    for rows in (1, 100):
        records = frame.head(rows).to_dict("records")
        names = list(frame.columns)
        matrix = np.array([[record[name] for name in names] for record in records], dtype=object)

        def by_frame(records=records) -> None:
            fitted.predict_proba(pd.DataFrame.from_records(records))

        def by_position(matrix=matrix) -> None:
            positional.predict_proba(matrix)

        assert np.allclose(
            fitted.predict_proba(pd.DataFrame.from_records(records)),
            positional.predict_proba(matrix),
        )
        medians = {}
        for name, call in (("DataFrame", by_frame), ("positions", by_position)):
            samples = []
            for _ in range(200):
                started = time.perf_counter()
                call()
                samples.append(time.perf_counter() - started)
            medians[name] = statistics.median(samples)
        frame_ms, position_ms = medians["DataFrame"] * 1e3, medians["positions"] * 1e3
        print(
            f"{rows:3} rows: DataFrame {frame_ms:.3f} ms, positions {position_ms:.3f} ms, "
            f"ratio {position_ms / frame_ms:.2f}"
        )


if __name__ == "__main__":
    wheel_sizes()
    import_times()
    latency()

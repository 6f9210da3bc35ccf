"""PredictFunction and BatchScoreFunction deployed with ``InferenceRuntime=onnx``.

The functions run on the lean layer (ONNX Runtime, no scikit-learn) and serve the session's
champion from the graph converted at publish. Their answers are checked against what the
scikit-learn runtime answers for the same rows: the same labels, probabilities within the
parity gate's tolerance.
"""

import csv
import io
import json
from typing import Any

import numpy as np

from sklambda.training.onnx_export import PARITY_TOLERANCE
from tests.local.scenarios.batch import swept_summary
from tests.local.scenarios.core import Scenario, Seeded

ONNX_RUNTIME = {"InferenceRuntime": "onnx"}
ONNX_BATCH_KEY = "incoming/sam-local-onnx/holdout.csv"
ONNX_SCORED_KEY = "scored/sam-local-onnx/holdout.csv"
# Enough holdout rows to cover both classes; the file stays a few kilobytes.
BATCH_ROWS = 40


def _scikit_learn_answers(seeded: Seeded, rows: Any) -> tuple[list[Any], Any]:
    estimator = seeded.champion_model.estimator
    return estimator.predict(rows).tolist(), estimator.predict_proba(rows)


def check_onnx_prediction(payload: Any, seeded: Seeded, event: dict[str, Any]) -> None:
    assert payload["statusCode"] == 200, payload
    body = json.loads(payload["body"])
    assert body["model_version"] == seeded.champion.version
    rows = np.asarray(json.loads(event["body"])["instances"], dtype=np.float64)
    labels, probabilities = _scikit_learn_answers(seeded, rows)
    assert body["predictions"] == labels
    classes = seeded.champion.classes or []
    served = [[row[str(label)] for label in classes] for row in body["probabilities"]]
    np.testing.assert_allclose(served, probabilities, rtol=0, atol=PARITY_TOLERANCE)


def seed_holdout_file(seeded: Seeded) -> None:
    names = seeded.champion.feature_schema.names
    rows = seeded.champion_model.holdout_features[:BATCH_ROWS]
    lines = ["id," + ",".join(names)]
    lines += [f"row{index}," + ",".join(map(repr, row)) for index, row in enumerate(rows.tolist())]
    seeded.put_text(ONNX_BATCH_KEY, "\n".join(lines) + "\n")


def check_onnx_batch(payload: Any, seeded: Seeded, event: dict[str, Any]) -> None:
    summary = swept_summary(payload, seeded, event, ONNX_BATCH_KEY)
    assert (summary["rows_read"], summary["rows_scored"]) == (BATCH_ROWS, BATCH_ROWS), summary
    assert summary["model_version"] == seeded.champion.version
    scored = list(csv.DictReader(io.StringIO(seeded.read_text(ONNX_SCORED_KEY))))
    assert [row["id"] for row in scored] == [f"row{index}" for index in range(BATCH_ROWS)]
    labels, probabilities = _scikit_learn_answers(
        seeded, seeded.champion_model.holdout_features[:BATCH_ROWS]
    )
    classes = seeded.champion.classes or []
    served_labels = [
        type(label)(row["prediction"]) for row, label in zip(scored, labels, strict=True)
    ]
    assert served_labels == labels
    served = [[float(row[f"probability_{label}"]) for label in classes] for row in scored]
    np.testing.assert_allclose(served, probabilities, rtol=0, atol=PARITY_TOLERANCE)


ONNX = {
    "PredictFunction": Scenario("predict_array_rows", check_onnx_prediction),
    "BatchScoreFunction": Scenario("batch_scheduled_sweep", check_onnx_batch, seed_holdout_file),
}

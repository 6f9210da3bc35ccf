"""BatchScoreFunction under each InferenceRuntime: every row accounted for, the same labels,
probabilities within the parity tolerance, whether the file is scored whole or in chunks."""

import csv
import io
import json

import numpy as np
import pytest

from sklambda_local.template import LocalStack
from tests.integration.batch.conftest import SMALL_FILES
from tests.integration.batch.files import csv_text
from tests.integration.runtimes import PROBABILITY_TOLERANCE, RUNTIMES


@pytest.fixture(params=RUNTIMES)
def stack(request) -> LocalStack:
    return LocalStack(parameter_overrides={**SMALL_FILES, "InferenceRuntime": request.param})


@pytest.mark.parametrize("rows", [20, 1500], ids=["whole", "distributed"])
def test_a_csv_is_scored_row_for_row_by_either_runtime(batch, champion, trained, rows):
    names = champion.feature_schema.names
    features = np.resize(trained.holdout_features, (rows, len(names)))
    key = "incoming/runtime.csv"
    batch.invoke(batch.upload(key, csv_text(names, features, messy=True)))
    if rows > 100:
        batch.wait_for_executions()
    run = json.loads(batch.read("runs/runtime.csv.json"))
    assert run["rows_read"] == run["rows_scored"] + run["rows_rejected"] == rows + 2
    assert run["rows_rejected"] == 4
    scored = list(csv.DictReader(io.StringIO(batch.read("scored/runtime.csv"))))
    good = [index for index in range(rows) if index not in {2, 4}]
    expected = trained.estimator.predict_proba(features[good])
    got = np.array([[float(row["probability_0"]), float(row["probability_1"])] for row in scored])
    np.testing.assert_allclose(got, expected, rtol=0, atol=PROBABILITY_TOLERANCE)
    assert [int(row["prediction"]) for row in scored] == expected.argmax(axis=1).tolist()

"""Label files parse from CSV or JSON Lines; scores match scikit-learn's definitions."""

import numpy as np
import pytest
from sklearn import metrics

from drift_handler.labels import LabelFileError, parse_labels
from drift_handler.scoring import score


def test_csv_and_json_lines_give_the_same_labels():
    csv_labels = parse_labels("labels/a.csv", b"request_id,row,label\nr1,0,1\nr1,1,0\nr2,,1\n")
    jsonl = (
        b'{"request_id": "r1", "row": 0, "label": 1}\n{"request_id": "r1", "row": 1, "label": 0}\n'
        b'\n{"request_id": "r2", "label": 1}\n'
    )
    json_labels = parse_labels("labels/a.jsonl", jsonl)
    assert [(x.request_id, x.row, str(x.label)) for x in csv_labels] == [
        ("r1", 0, "1"),
        ("r1", 1, "0"),
        ("r2", 0, "1"),
    ]
    assert [(x.request_id, x.row, str(x.label)) for x in json_labels] == [
        (x.request_id, x.row, str(x.label)) for x in csv_labels
    ]


@pytest.mark.parametrize(
    ("key", "body", "message"),
    [
        ("labels/a.csv", b"request_id,label\n,1\n", "line 2: request_id"),
        ("labels/a.jsonl", b'{"request_id": "r1"}\n', "line 1: label"),
        ("labels/a.jsonl", b"not json\n", "line 1 is not JSON"),
        ("labels/a.txt", b"", "must end in .csv or .jsonl"),
    ],
)
def test_bad_label_files_name_the_line(key, body, message):
    with pytest.raises(LabelFileError, match=message):
        parse_labels(key, body)


def test_binary_classification_scores_match_scikit_learn():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 2, 200)
    positive = np.clip(truth * 0.6 + rng.normal(0.2, 0.25, 200), 0, 1)
    predicted = (positive >= 0.5).astype(int)
    rows = [
        (str(t), str(p), [1 - q, q]) for t, p, q in zip(truth, predicted, positive, strict=True)
    ]
    scores = score("classification", rows, ["0", "1"])
    assert scores["Accuracy"] == pytest.approx(metrics.accuracy_score(truth, predicted))
    assert scores["F1"] == pytest.approx(metrics.f1_score(truth, predicted))
    assert scores["RocAuc"] == pytest.approx(metrics.roc_auc_score(truth, positive))


def test_auc_is_left_out_when_only_one_class_was_labelled():
    scores = score("classification", [("1", "1", [0.2, 0.8]), ("1", "0", [0.6, 0.4])], ["0", "1"])
    assert scores == {"Accuracy": 0.5, "F1": pytest.approx(2 / 3)}


def test_regression_scores_are_mae_and_rmse():
    scores = score("regression", [("1.0", "2.0", None), ("3.0", "1.0", None)], [])
    assert scores == {"MAE": pytest.approx(1.5), "RMSE": pytest.approx(np.sqrt(2.5))}

"""Rows for retraining follow the champion's schema; the notice reads as a sentence."""

from datetime import UTC, datetime

import numpy as np
import pytest

from sklambda.errors import TrainingDataError
from sklambda.retraining.data import (
    Example,
    examples_from_matrix,
    parse_jsonl,
    split_fresh_holdout,
    to_jsonl,
    to_training_data,
)
from sklambda.retraining.runs import RunRecord
from sklambda.retraining.summary import message, subject
from sklambda.retraining.trigger import Trigger, TriggerKind
from sklambda.schema import Feature, FeatureKind, FeatureSchema

SCHEMA = FeatureSchema(
    features=[
        Feature(name="size", kind=FeatureKind.NUMERIC),
        Feature(name="colour", kind=FeatureKind.CATEGORICAL),
    ]
)


def test_csv_strings_and_json_values_become_the_same_columns():
    examples = [
        Example({"size": "1.5", "colour": "red"}, "1"),
        Example({"size": 2, "colour": None, "x": 9}, 0),
    ]
    data = to_training_data(SCHEMA, "label", examples, "test")
    assert data.feature_names == ["size", "colour"]
    assert data.columns[0].tolist() == [1.5, 2.0]
    assert data.columns[1].tolist() == ["red", None]
    assert data.target.tolist() == [1, 0]
    assert data.target.dtype.kind == "i"


def test_a_row_without_a_champion_feature_is_an_error_naming_it():
    with pytest.raises(TrainingDataError, match="lack the champion's feature 'colour'"):
        to_training_data(SCHEMA, "label", [Example({"size": 1.0}, 1)], "test")


def test_the_newest_labelled_rows_are_held_out_only_when_there_are_enough():
    rows = [Example({"size": float(i)}, i % 2) for i in range(100)]
    train, holdout = split_fresh_holdout(rows, 0.3, 20)
    assert (len(train), len(holdout)) == (70, 30)
    assert holdout[0].features["size"] == 70.0
    assert split_fresh_holdout(rows, 0.3, 31) == (rows, [])


def test_a_holdout_round_trips_through_jsonl_with_nan_as_null():
    examples = examples_from_matrix(["size", "colour"], np.array([[1.0, np.nan]]), np.array([1]))
    assert examples == [Example({"size": 1.0, "colour": None}, 1)]
    assert list(parse_jsonl(to_jsonl(examples).decode(), "x")) == examples


def test_a_malformed_labelled_line_names_where_it_is():
    with pytest.raises(TrainingDataError, match=r"labels\.jsonl line 2"):
        list(parse_jsonl('{"features": {}, "label": 1}\n{"label": 1}\n', "labels.jsonl"))


def test_the_notice_says_what_happened_and_why():
    now = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    record = RunRecord(
        run_id="run-1",
        outcome="rejected",
        started_at=now,
        finished_at=now,
        trigger=Trigger(
            kind=TriggerKind.DRIFT, source="drift-alarm", reason="PSI 0.4 > 0.2", at=now
        ),
        champion_before="v1",
        champion_after="v1",
        candidate="v2",
        metric="roc_auc",
        candidate_score=0.9,
        champion_score=0.95,
        holdout="labelled, 60 rows",
        reasons=["worse than the champion by more than 0.01: roc_auc 0.9000 vs champion 0.9500"],
    )
    assert subject(record) == "sklambda retraining: kept v1; candidate v2 rejected"
    text = message(record)
    assert "Trigger: drift (drift-alarm): PSI 0.4 > 0.2" in text
    assert "Holdout labelled, 60 rows: roc_auc candidate 0.9000, champion 0.9500" in text
    assert "- worse than the champion" in text


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("semicolons.csv", "size;colour;label\n" + "".join(
            f"{i},5;c{i % 3};{i % 2}\n" for i in range(30))),
        ("thousands.csv", "size,colour,label\n" + "".join(
            f'"{i},{i:03d}",c{i % 3},{i % 2}\n' for i in range(30))),
        ("utf16.csv", "size\tcolour\tlabel\n" + "".join(
            f"{i}\tc{i % 3}\tn/a\n".replace("n/a", str(i % 2)) for i in range(30))),
    ],
)  # fmt: skip
def test_retraining_reads_a_training_csv_as_sklambda_train_read_it(tmp_path, name, text):
    from sklambda.retraining.data import parse_csv
    from sklambda.training.data import decode_text, load_csv

    payload = text.encode("utf-16" if name == "utf16.csv" else "utf-8")
    (tmp_path / name).write_bytes(payload)
    trained = load_csv(tmp_path / name, "label")
    examples = list(parse_csv(decode_text(payload, name), "label", name))
    schema = FeatureSchema(
        features=[
            Feature(name="size", kind=FeatureKind.NUMERIC),
            Feature(name="colour", kind=FeatureKind.CATEGORICAL),
        ]
    )
    retrained = to_training_data(schema, "label", examples, name)
    assert retrained.columns[0].tolist() == trained.columns[0].tolist()
    assert retrained.columns[1].tolist() == trained.columns[1].tolist()
    assert retrained.target.tolist() == trained.target.tolist()

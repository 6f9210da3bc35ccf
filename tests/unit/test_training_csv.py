"""Real-world CSV files: encodings, ids, many categories, booleans, and files that cannot train."""

import contextlib
import csv
import io
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklambda.errors import TrainingDataError
from sklambda.schema import FeatureKind, infer_schema
from sklambda.training.data import as_column, decode_text, load_csv
from sklambda.training.estimators import make_estimator
from sklambda.training.train import choose_task, train_model


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


ROWS = "".join(f"{i},{i % 7},{'yes' if i % 3 else 'no'}\n" for i in range(40))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf8_and_utf16_with_a_byte_order_mark_are_read(tmp_path, encoding):
    text = "a,b,label\n" + ROWS
    if encoding in {"utf-16-le", "utf-16-be"}:
        text = "\ufeff" + text
    data = load_csv(write(tmp_path, "x.csv", text, encoding), "label")
    assert data.feature_names == ["a", "b"]
    assert data.rows == 40


@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        ("a,b,label\n" + ROWS.replace("yes", "é"), "latin-1", "neither UTF-8 nor UTF-16"),
        ("a,a,label\n" + ROWS, "utf-8", r"duplicate column names \['a'\]"),
        ("a,b,label\n" + "".join(f"{i},{i},same\n" for i in range(30)), "utf-8", "one class"),
        ("a,b,label\n" + ROWS + "1,2,lonely\n", "utf-8", r"'lonely' \(1 row\)"),
    ],
)
def test_files_that_cannot_train_say_why_in_one_line(tmp_path, content, encoding, message):
    def attempt() -> None:
        data = load_csv(write(tmp_path, "bad.csv", content, encoding), "label")
        train_model(data, model_name="m")

    with pytest.raises(TrainingDataError, match=message) as raised:
        attempt()
    assert "\n" not in str(raised.value)


def test_id_columns_are_dropped_with_a_notice_and_drop_is_honoured(tmp_path):
    text = "customer_id,code,town,x,label\n" + "".join(
        f"{1000 + i},c{i},t{i % 4},{i % 5},{i % 2}\n" for i in range(40)
    )
    data = load_csv(write(tmp_path, "ids.csv", text), "label", drop=["x"])
    assert data.feature_names == ["town"]
    assert len(data.notices) == 3
    assert any("'customer_id'" in notice and "id" in notice for notice in data.notices)
    with pytest.raises(TrainingDataError, match="does not have"):
        load_csv(write(tmp_path, "ids.csv", text), "label", drop=["nope"])


def test_boolean_columns_become_boolean_features(tmp_path):
    text = "flag,x,label\n" + "".join(
        f"{['True', 'false', 'TRUE', ''][i % 4]},{i},{i % 2}\n" for i in range(40)
    )
    data = load_csv(write(tmp_path, "b.csv", text), "label")
    assert data.boolean_features == {"flag"}
    schema = infer_schema(data.feature_names, data.columns, data.boolean_features)
    assert schema.features[0].kind is FeatureKind.BOOLEAN
    assert schema.features[0].allows_missing


def test_many_categories_train_with_every_estimator(tmp_path):
    rng = random.Random(0)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["town", "x", "label"])
    for _ in range(1200):
        # Skewed like real towns: a few large, a long tail seen once or twice.
        town = min(int(rng.paretovariate(0.6)) - 1, 299)
        writer.writerow([f"T{town}" if rng.random() > 0.05 else "", rng.random(), town % 2])
    data = load_csv(write(tmp_path, "towns.csv", buffer.getvalue()), "label")
    for name in ("hist-gradient-boosting", "random-forest", "logistic-regression", "ridge"):
        trained = train_model(
            data,
            model_name="m",
            estimator=name,
            hyperparameters={"n_estimators": 10} if name == "random-forest" else None,
        )
        assert trained.manifest.metrics["accuracy"] > 0.7, name
        assert trained.manifest.estimator_class is not None


def test_task_inference_rule():
    assert choose_task(np.array([0, 1, 2, 0])).task == "classification"
    assert choose_task(np.array([1, 2])).task == "classification"
    assert choose_task(np.array(["a", "b"], dtype=object)).task == "classification"
    rating = choose_task(np.arange(1, 16))
    assert rating.task == "regression"
    assert "--task classification" in rating.describe(inferred=True)
    assert choose_task(np.linspace(0, 1, 9)).task == "regression"


def test_estimators_by_short_name_or_reference():
    assert type(make_estimator("ridge", "regression", None)).__name__ == "Ridge"
    made = make_estimator("sklearn.tree:DecisionTreeClassifier", "classification", {"max_depth": 2})
    assert made.max_depth == 2
    for spec, message in [
        ("logistic-regression", "does only classification"),
        ("nope", "neither a short name"),
        ("builtins:dict", "no fit/predict"),
    ]:
        with pytest.raises(TrainingDataError, match=message):
            make_estimator(spec, "regression", None)
    with pytest.raises(TrainingDataError, match="--params"):
        make_estimator("ridge", "regression", {"not_a_parameter": 1})


def test_diabetes_default_regression_is_not_overfitted():
    from sklambda.training.data import load_bundled

    trained = train_model(load_bundled("diabetes"), model_name="r")
    assert trained.manifest.metrics["r2"] > 0.3


@given(st.binary(max_size=200))
def test_decoding_any_bytes_gives_text_or_one_clear_error(payload):
    try:
        outcome = decode_text(payload, "f.csv")
    except TrainingDataError as error:
        outcome = str(error)
        assert "\n" not in outcome
    assert isinstance(outcome, str)


@given(st.lists(st.text(max_size=8), min_size=1, max_size=30))
def test_any_column_of_text_parses_to_a_typed_column(values):
    column, is_boolean = as_column(values)
    assert len(column) == len(values)
    assert column.dtype.kind in "fO"
    if is_boolean:
        assert set(np.unique(column[~np.isnan(column)]).tolist()) <= {0.0, 1.0}


@given(st.lists(st.lists(st.text(max_size=5), min_size=2, max_size=2), min_size=0, max_size=20))
def test_any_small_csv_loads_or_fails_with_training_data_error(tmp_path_factory, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["a", "label"], *rows])
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_text(buffer.getvalue())
    with contextlib.suppress(TrainingDataError):
        load_csv(path, "label")


_NA_SPELLINGS = ["N/A", "#N/A", "n/a", "NULL", "<NA>"]
_MESSY_EXPORTS = {
    # A trailing delimiter on every line makes a nameless, empty last column.
    "trailing.csv": "a,town,y,\n" + "".join(f"{i},t{i % 3},{i % 2},\n" for i in range(40)),
    "empty-column.csv": "a,notes,y\n" + "".join(f"{i},,{i % 2}\n" for i in range(40)),
    "semicolons.csv": "a;town;y\n" + "".join(f"{i},5;t{i % 3};{i % 2}\n" for i in range(40)),
    "tabs.csv": "a\ttown\ty\n" + "".join(f"{i}.5\tt{i % 3}\t{i % 2}\n" for i in range(40)),
    "thousands.csv": "a,town,y\n"
    + "".join(f'"{i},{i:03d}.5",t{i % 3},{i % 2}\n' for i in range(40)),
    "missing-spellings.csv": "a,town,y\n" + "".join(
        f"{_NA_SPELLINGS[i % 5] if i % 4 == 0 else i + 0.5},t{i % 3},{i % 2}\n"
        for i in range(40)
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(_MESSY_EXPORTS))
def test_spreadsheet_exports_read_as_numbers_where_they_hold_numbers(tmp_path, name):
    (tmp_path / name).write_text(_MESSY_EXPORTS[name])
    data = load_csv(tmp_path / name, "y")
    assert "a" in data.feature_names
    column = data.columns[data.feature_names.index("a")]
    assert column.dtype.kind == "f"
    assert np.nanmax(column) >= 39
    assert all(name for name in data.feature_names)
    assert len(data.columns) == len(data.feature_names)
    assert data.rows == 40


def test_utf16_without_a_byte_order_mark_is_read(tmp_path):
    text = "a,b,y\n" + "".join(f"{i},é{i % 3},{i % 2}\n" for i in range(40))
    for encoding in ("utf-16-le", "utf-16-be"):
        (tmp_path / "f.csv").write_bytes(text.encode(encoding))
        assert load_csv(tmp_path / "f.csv", "y").feature_names == ["a", "b"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,,y\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(30)), "header is empty"),
        ("a,b,y\n" + "".join(f"{'inf' if i == 7 else i},{i},{i % 2}\n" for i in range(30)),
         "holds infinity"),
    ],
)  # fmt: skip
def test_values_training_cannot_use_are_refused_in_one_line(tmp_path, content, message):
    (tmp_path / "f.csv").write_text(content)
    with pytest.raises(TrainingDataError, match=message) as refused:
        load_csv(tmp_path / "f.csv", "y")
    assert "\n" not in str(refused.value)


_CELLS = st.one_of(
    st.sampled_from(["", "NA", "n/a", "inf", "-", "1,234", "1,5", "x", "true", " 3 "]),
    st.floats(allow_nan=False, allow_infinity=False).map(str),
    st.text(max_size=5),
)


@given(
    st.sampled_from([",", ";", "\t"]),
    st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=25),
)
def test_every_column_a_loaded_csv_keeps_can_be_trained_on(tmp_path_factory, delimiter, rows):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([["a", "b", "label"], *rows])
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_text(buffer.getvalue())
    try:
        data = load_csv(path, "label")
    except TrainingDataError as error:
        refusal = str(error)
    else:
        refusal = ""
    assert "\n" not in refusal
    if refusal:
        return
    for name, column in zip(data.feature_names, data.columns, strict=True):
        assert name
        if column.dtype.kind == "f":
            assert not np.isinf(column).any()
            assert not np.isnan(column).all()
        else:
            assert any(value is not None for value in column.tolist())

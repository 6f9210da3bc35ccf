import numpy as np
import pytest

from sklambda.errors import TrainingDataError
from sklambda.training.data import load_bundled, load_csv
from sklambda.training.train import infer_task, train_model

CSV = """id_colour,size,weight,label
red,1.0,10,yes
blue,2.0,,no
,3.0,30,yes
green,4.5,40,no
red,1.5,12,yes
blue,2.5,22,no
red,1.1,11,yes
blue,2.2,21,no
green,4.1,41,no
red,1.3,13,yes
"""


def test_csv_columns_are_typed_and_missing_values_kept(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("\ufeff" + CSV)
    data = load_csv(path, "label")
    assert data.feature_names == ["id_colour", "size", "weight"]
    colour, size, weight = data.columns
    assert colour.dtype == object
    assert colour[2] is None
    assert size.dtype == np.float64
    assert np.isnan(weight[1])
    assert data.target.tolist()[:2] == ["yes", "no"]


def test_a_model_trains_on_mixed_columns_and_predicts_unseen_categories(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(CSV)
    trained = train_model(load_csv(path, "label"), model_name="m", holdout_fraction=0.4)
    assert trained.manifest.classes == ["no", "yes"]
    unseen = np.array([["purple", 2.0, np.nan]], dtype=object)
    assert trained.estimator.predict(unseen)[0] in {"no", "yes"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b\n", "no data rows"),
        ("a,b\n1,2\n", "no target column 'label'"),
        ("a,label\n1,2\n3\n", "line 3 has a different number of columns"),
        ("a,label\n1,\n", "rows with no 'label' value"),
    ],
)
def test_bad_csv_files_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(TrainingDataError, match=message):
        load_csv(path, "label")


def test_task_inference():
    assert infer_task(np.array([0, 1, 1])) == "classification"
    assert infer_task(np.array(["a", "b"], dtype=object)) == "classification"
    assert infer_task(np.linspace(0, 1, 50)) == "regression"


def test_fingerprint_follows_the_data():
    data = load_bundled("iris")
    changed = load_bundled("iris")
    changed.columns[0][0] += 0.1
    assert data.fingerprint() == load_bundled("iris").fingerprint()
    assert data.fingerprint() != changed.fingerprint()


def test_regression_metrics():
    trained = train_model(
        load_bundled("diabetes"), model_name="r", hyperparameters={"max_iter": 30}
    )
    assert trained.manifest.task == "regression"
    assert set(trained.manifest.metrics) == {"mae", "rmse", "r2"}

"""What publishing makes of estimators and labels the bundled pipeline never produces."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import Ridge

from sklambda_cli.publishing.publish import (
    ModelRefusedError,
    as_estimator_labels,
    build_version,
)
from sklambda_cli.publishing.tabular import to_training_data


def _refusal(estimator, features, target, tmp_path, **options) -> str:
    names = [f"f{index}" for index in range(np.asarray(features).shape[1])]
    data = to_training_data(features, target, feature_names=names)
    with pytest.raises(ModelRefusedError) as refused:
        build_version(estimator, data, tmp_path, model_name="m", **options)
    assert "\n" not in str(refused.value)
    return str(refused.value)


def test_a_multi_output_regressor_is_refused_in_one_line(tmp_path):
    features, targets = datasets.load_linnerud(return_X_y=True)
    model = Ridge().fit(features, targets)
    assert "one target per model" in _refusal(model, features, targets[:, 0], tmp_path)


@pytest.mark.parametrize(
    ("estimator", "task", "message"),
    [
        (PCA(2), None, "no predict method"),
        (KMeans(3, n_init=1, random_state=0), None, "classifies or regresses"),
        (KMeans(3, n_init=1, random_state=0), "classification", "no classes_"),
    ],
)
def test_estimators_that_cannot_serve_are_refused_in_one_line(tmp_path, estimator, task, message):
    features, target = datasets.load_iris(return_X_y=True)
    estimator.fit(features, target)
    assert message in _refusal(estimator, features, target, tmp_path, task=task)


@pytest.mark.parametrize(
    ("classes", "target", "expected"),
    [
        (np.array([False, True]), np.array(["True", "False"], dtype=object), [True, False]),
        (np.array([0.0, 1.0, 2.0]), np.array([2, 0]), [2.0, 0.0]),
        (np.array(["0.5", "1.5"], dtype=object), np.array([1.5, 0.5]), ["1.5", "0.5"]),
        (np.array([3, 4, 5]), np.array([5.0, 3.0]), [5, 3]),
        (np.array(["no", "yes"]), np.array(["yes"], dtype=object), ["yes"]),
    ],
)
def test_labels_meet_the_estimators_classes_whatever_their_type(classes, target, expected):
    labels = as_estimator_labels(target, classes)
    assert labels.tolist() == expected
    assert [type(label) for label in labels.tolist()] == [type(label) for label in expected]


_LABELS = st.one_of(
    st.booleans(), st.integers(-5, 5), st.sampled_from([0.5, -1.0, 2.0]), st.text(max_size=4)
)


@given(st.lists(_LABELS, min_size=1, max_size=6, unique_by=str), st.data())
def test_any_label_is_matched_to_its_class_or_refused_in_one_line(classes, data):
    fitted = np.empty(len(classes), dtype=object)
    fitted[:] = classes
    target = np.array(data.draw(st.lists(st.sampled_from([*classes, "unseen!"]), max_size=8)),
                      dtype=object)  # fmt: skip
    try:
        labels = as_estimator_labels(target, fitted)
    except ModelRefusedError as refused:
        refusal = str(refused)
    else:
        assert all(any(label is known for known in classes) for label in labels.tolist())
        return
    assert "\n" not in refusal

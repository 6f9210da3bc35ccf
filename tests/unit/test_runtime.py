"""The model-runtime seam against estimators the project does not ship."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from sklambda.errors import IncompatibleModelError
from sklambda.registry.manifest import SKLEARN_JOBLIB, Manifest
from sklambda.runtime import Scores, runtime_for
from sklambda.runtime.scikit_learn import SklearnPredictor, SklearnRuntime, dump_artifact


@pytest.fixture(scope="module")
def iris():
    data = load_iris()
    # Named labels: a prediction must be the class itself, never its index.
    return data.data, data.target_names[data.target]


def test_multiclass_labels_and_probabilities_are_the_estimators_own(iris):
    features, target = iris
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(
        features, target
    )
    predictor = SklearnPredictor(estimator, "classification")
    scores = predictor.predict(features)
    assert predictor.classes == ("setosa", "versicolor", "virginica")
    assert scores.classes == predictor.classes
    assert scores.labels.tolist() == estimator.predict(features).tolist()
    assert scores.probabilities is not None
    np.testing.assert_array_equal(scores.probabilities, estimator.predict_proba(features))
    assert predictor.runtime == "scikit-learn"


class Contrarian(ClassifierMixin, BaseEstimator):
    """A classifier whose predict() is not its most probable class, as SVC's can be."""

    def fit(self, features, target):
        self.classes_ = np.unique(target)
        return self

    def predict_proba(self, features):
        probabilities = np.zeros((len(features), len(self.classes_)))
        probabilities[:, 0] = 1.0
        return probabilities

    def predict(self, features):
        return np.full(len(features), self.classes_[-1])


def test_a_classifier_whose_predict_is_not_the_argmax_keeps_its_own_predict(iris):
    features, target = iris
    estimator = make_pipeline(StandardScaler(), Contrarian()).fit(features, target)
    scores = SklearnPredictor(estimator, "classification").predict(features)
    assert set(scores.labels.tolist()) == {"virginica"}
    assert scores.probabilities is not None
    np.testing.assert_array_equal(scores.probabilities, estimator.predict_proba(features))


def test_a_classifier_without_probabilities_gives_labels_only(iris):
    features, target = iris
    estimator = LinearSVC(random_state=0).fit(features, target)
    predictor = SklearnPredictor(estimator, "classification")
    scores = predictor.predict(features)
    assert predictor.classes is None
    assert scores.probabilities is None
    assert scores.classes is None
    assert scores.labels.tolist() == estimator.predict(features).tolist()


def test_a_regressor_gives_its_predicted_values():
    features, target = load_diabetes(return_X_y=True)
    estimator = Ridge().fit(features, target)
    predictor = SklearnPredictor(estimator, "regression")
    scores = predictor.predict(features[:7])
    assert predictor.task == "regression"
    assert predictor.classes is None
    assert scores.probabilities is None
    assert scores.labels.dtype.kind == "f"
    np.testing.assert_array_equal(scores.labels, estimator.predict(features[:7]))


def test_the_shipped_pipeline_predicts_through_the_seam_as_it_predicts_alone(trained):
    predictor = SklearnPredictor(trained.estimator, "classification")
    scores = predictor.predict(trained.holdout_features)
    assert scores.labels.tolist() == trained.estimator.predict(trained.holdout_features).tolist()
    assert scores.classes == (0, 1)


def test_scores_keep_probabilities_and_classes_together():
    with pytest.raises(ValueError, match="together"):
        Scores(np.array([0]), np.array([[0.4, 0.6]]))
    with pytest.raises(ValueError, match="do not fit"):
        Scores(np.array([0, 1]), np.array([[0.4, 0.6]]), (0, 1))
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    both = Scores(np.array(["a", "b", "a"]), probabilities, ("a", "b"))
    picked = both.take(np.array([2, 0]))
    assert picked.labels.tolist() == ["a", "a"]
    assert picked.probabilities is not None
    assert picked.probabilities.tolist() == [[0.6, 0.4], [0.9, 0.1]]
    assert len(picked) == 2


def test_an_artifact_round_trips_through_the_runtime_named_by_its_manifest(iris, trained, tmp_path):
    features, target = iris
    estimator = LogisticRegression(max_iter=500).fit(features, target)
    dump_artifact(estimator, tmp_path / "model.joblib")
    manifest = trained.manifest
    assert manifest.artifact.format == SKLEARN_JOBLIB
    runtime = runtime_for(manifest)
    assert isinstance(runtime, SklearnRuntime)
    runtime.check(manifest)
    predictor = runtime.load(tmp_path / "model.joblib", manifest)
    assert predictor.predict(features).labels.tolist() == estimator.predict(features).tolist()


def test_a_manifest_written_before_the_format_field_is_a_scikit_learn_pickle(trained):
    document = trained.manifest.model_dump(mode="json")
    del document["artifact"]["format"]
    assert Manifest.model_validate(document).artifact.format == SKLEARN_JOBLIB


def test_an_unknown_format_is_refused_by_name(trained):
    artifact = trained.manifest.artifact.model_copy(update={"format": "tflite"})
    with pytest.raises(IncompatibleModelError, match="'tflite' artifact; this layer serves"):
        runtime_for(trained.manifest.model_copy(update={"artifact": artifact}))


def test_importing_the_seam_loads_no_model_library():
    import subprocess
    import sys

    code = (
        "import sys, sklambda.runtime, sklambda.registry.loader; "
        "print(sorted(m for m in ('sklearn', 'joblib') if m in sys.modules))"
    )
    output = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert output.strip() == "[]"

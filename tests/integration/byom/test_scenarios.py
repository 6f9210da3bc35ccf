"""Models fitted elsewhere, and models trained on real CSVs, through the whole loop."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import sklambda_cli
from sklambda import aws
from sklambda.registry.loader import ModelLoader
from sklambda.registry.signing import KmsVerifier
from sklambda_cli.main import main
from tests.integration.byom.conftest import Scenario, as_csv_text

MODEL_NAME = "sklambda-model"


def _serves_and_scores(scenario: Scenario, good: dict, bad: dict, rows: list[dict]) -> dict:
    status, body = scenario.predict([good])
    assert status == 200, body
    status, refused = scenario.predict([bad], "r2")
    assert status == 422, refused
    frame = pd.DataFrame(rows)
    run = scenario.batch("rows.csv", frame.to_csv(index=False))
    assert run["rows_scored"] == len(rows), run
    return body


def _drifts(scenario: Scenario, rows: list[dict]) -> None:
    status, _ = scenario.predict(rows, "traffic")
    assert status == 200
    (version,) = scenario.drift()["versions"]
    assert version["sample_size"] >= len(rows)
    assert version["insufficient_data"] is False


def _candidate_estimator(scenario: Scenario, record: dict) -> object:
    key = scenario.loop.stack.function_environment("PredictFunction")["MODEL_SIGNING_KEY"]
    verifier = KmsVerifier(aws.client("kms"), key)
    loader = ModelLoader(
        scenario.loop.registry, scenario.loop.workdir / "check", 0, verifier=verifier
    )
    return loader.load_version(record["candidate"]).predictor.estimator  # type: ignore[attr-defined]


def test_a_wine_pipeline_published_with_the_cli_serves_and_retrains_as_itself(
    scenario: Scenario, tmp_path, capsys
):
    frame, target = load_wine(return_X_y=True, as_frame=True)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, C=0.7))
    pipeline.fit(frame, target)
    joblib.dump(pipeline, tmp_path / "model.joblib")
    data = frame.assign(target=target)
    data.to_csv(tmp_path / "train.csv", index=False)

    with scenario.as_publisher():
        code = main(
            [
                "publish", "--model", str(tmp_path / "model.joblib"), "--data",
                str(tmp_path / "train.csv"), "--target", "target", "--promote",
                "--bucket", scenario.bucket, "--model-name", MODEL_NAME,
            ]
        )  # fmt: skip

    out = capsys.readouterr().out
    assert code == 0, out
    assert "champion is now" in out
    rows = frame.head(60).to_dict("records")
    body = _serves_and_scores(scenario, rows[0], {**rows[0], "alcohol": "strong"}, rows[:20])
    assert body["predictions"] == [0]
    _drifts(scenario, rows)
    scenario.loop.seed_training(data.to_csv(index=False).encode())
    record = scenario.retrain()
    candidate = _candidate_estimator(scenario, record)
    assert [type(step).__name__ for _, step in candidate.steps] == [
        "StandardScaler",
        "LogisticRegression",
    ]
    manifest = scenario.loop.registry.manifest(record["candidate"])
    assert manifest.estimator_class == "sklearn.linear_model._logistic.LogisticRegression"
    assert manifest.hyperparameters["C"] == 0.7
    assert manifest.holdout is not None
    assert manifest.holdout.source.startswith(f"s3://{scenario.bucket}/retraining/holdouts/")


def _towns_frame(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "town": rng.choice(["Lille", "Paris", "Lyon", "Nantes"], rows),
            "size": rng.normal(size=rows).round(3),
            "rooms": rng.integers(1, 6, rows).astype(float),
            "garden": rng.random(rows) > 0.5,
        }
    )
    label = np.where((frame.town == "Lille") | (frame["size"] > 0.8) | frame.garden, "yes", "no")
    return frame, label


def test_a_column_transformer_fitted_on_a_dataframe_is_published_from_a_notebook(
    scenario: Scenario,
):
    frame, label = _towns_frame(400, seed=0)
    columns = ColumnTransformer(
        [
            ("text", OneHotEncoder(handle_unknown="ignore"), ["town"]),
            ("numbers", StandardScaler(), ["size", "rooms", "garden"]),
        ]
    )
    pipeline = make_pipeline(columns, LogisticRegression()).fit(frame, label)

    with scenario.as_publisher():
        manifest = sklambda_cli.publish_model(
            pipeline, frame, label, target="bought", bucket=scenario.bucket,
            model_name=MODEL_NAME, promote=True, verbose=False,
        )  # fmt: skip

    kinds = {feature.name: feature.kind.value for feature in manifest.feature_schema.features}
    assert kinds == {"town": "categorical", "size": "numeric", "rooms": "numeric",
                     "garden": "boolean"}  # fmt: skip
    rows = frame.head(60).to_dict("records")
    good = {**rows[0], "town": "lille", "garden": True}
    body = _serves_and_scores(scenario, good, {**rows[0], "garden": "maybe"}, rows[:20])
    assert body["warnings"][0]["feature"] == "town"
    assert body["warnings"][0]["value"] == "lille"
    # Batch scores unseen towns too, and counts them per feature in the run record
    unseen = [
        {**row, "town": town}
        for row, town in zip(rows[:3], ["lille", "Rome", "lille"], strict=True)
    ]
    run = scenario.batch("unseen.csv", pd.DataFrame([*rows[:5], *unseen]).to_csv(index=False))
    assert (run["rows_scored"], run["rows_rejected"]) == (8, 0)
    assert run["unseen_categories"] == {
        "town": {"rows": 3, "values": {"lille": 2, "Rome": 1}, "values_cut": False}
    }
    model = scenario.get("get_model")
    assert model["metrics_holdout"]["rows"] == 80
    _drifts(scenario, rows)
    training = frame.assign(bought=label)
    scenario.loop.seed_training(training.to_csv(index=False).encode())
    record = scenario.retrain()
    candidate = _candidate_estimator(scenario, record)
    assert type(candidate.steps[0][1]).__name__ == "ColumnTransformer"
    assert type(candidate.steps[-1][1]).__name__ == "LogisticRegression"


def test_a_5000_row_export_with_an_id_many_towns_and_blanks_trains_and_serves(
    scenario: Scenario, tmp_path, capsys
):
    rng = np.random.default_rng(3)
    rows = 5000
    towns = [f"Town{i:03d}" for i in range(300)]
    town = rng.choice(towns, rows)
    income = rng.normal(40_000, 9_000, rows).round()
    member = rng.random(rows) > 0.5
    chance = 0.2 + 0.5 * (np.char.count(town.astype(str), "0") > 1) + 0.2 * member
    churned = np.where(rng.random(rows) < chance, "yes", "no")
    table = [
        [100000 + i, "" if rng.random() < 0.03 else town[i],
         "" if rng.random() < 0.05 else income[i], str(member[i]), churned[i]]
        for i in range(rows)
    ]  # fmt: skip
    header = ["customer_id", "town", "income", "member", "churned"]
    path = tmp_path / "export.csv"
    path.write_text(as_csv_text(header, table))

    code = main(["train", "--csv", str(path), "--target", "churned", "--out", str(tmp_path / "b")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "dropped column 'customer_id'" in out
    assert "task: classification" in out
    with scenario.as_publisher():
        published = main(["publish", str(tmp_path / "b"), "--promote", "--bucket", scenario.bucket])
    assert published == 0

    good = {"town": "Town001", "income": 41000.0, "member": True}
    batch_rows = [{"town": row[1], "income": row[2], "member": row[3]} for row in table[:30]]
    _serves_and_scores(scenario, good, {**good, "member": "perhaps"}, batch_rows)
    traffic = [
        {"town": row[1] or None, "income": float(row[2]) if row[2] != "" else None,
         "member": row[3] == "True"}
        for row in table[:60]
    ]  # fmt: skip
    _drifts(scenario, traffic)
    scenario.loop.seed_training(path.read_bytes())
    record = scenario.retrain()
    assert record["outcome"] in {"promoted", "rejected"}
    assert scenario.loop.registry.manifest(record["candidate"]).estimator == (
        "HistGradientBoostingClassifier"
    )


def _bundled_csv(name: str, path) -> pd.DataFrame:
    from sklearn import datasets

    frame = getattr(datasets, f"load_{name}")(as_frame=True).frame
    frame.to_csv(path, index=False)
    return frame


@pytest.mark.parametrize(
    ("dataset", "estimator", "task_line"),
    [
        ("iris", "random-forest", "task: classification (3 distinct integers 0..2"),
        ("diabetes", "ridge", "task: regression"),
    ],
)
def test_bundled_datasets_from_csv_train_serve_score_drift_and_retrain(
    scenario: Scenario, tmp_path, capsys, dataset, estimator, task_line
):
    frame = _bundled_csv(dataset, tmp_path / f"{dataset}.csv")
    bundle = str(tmp_path / "bundle")
    code = main(
        [
            "train",
            "--csv",
            str(tmp_path / f"{dataset}.csv"),
            "--target",
            "target",
            "--estimator",
            estimator,
            "--params",
            '{"random_state": 0}',
            "--out",
            bundle,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert task_line in out
    with scenario.as_publisher():
        assert main(["publish", bundle, "--promote", "--bucket", scenario.bucket]) == 0
    rows = frame.drop(columns="target").head(60).to_dict("records")
    first = next(iter(rows[0]))
    _serves_and_scores(scenario, rows[0], {**rows[0], first: None}, rows[:20])
    _drifts(scenario, rows)
    scenario.loop.seed_training((tmp_path / f"{dataset}.csv").read_bytes())
    record = scenario.retrain()
    manifest = scenario.loop.registry.manifest(record["candidate"])
    champion = scenario.loop.registry.manifest(record["champion_before"])
    assert manifest.estimator == champion.estimator
    assert manifest.hyperparameters == champion.hyperparameters

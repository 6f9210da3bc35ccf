"""What publishing and training refuse, each in one line with a non-zero exit."""

import sys

import joblib
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklambda_cli.main import main

MESSY = {
    "single.csv": ("a,b,y\n" + "".join(f"{i},{i * 2},same\n" for i in range(30)), "utf-8",
                   "one class"),
    "lonely.csv": ("a,b,y\n" + "".join(f"{i},{i},{'x' if i % 2 else 'z'}\n" for i in range(30))
                   + "9,9,lonely\n", "utf-8", "too few rows"),
    "latin1.csv": ("a,b,y\n" + "".join(f"{i},é{i % 3},{i % 2}\n" for i in range(30)), "latin-1",
                   "neither UTF-8 nor UTF-16"),
    "dupes.csv": ("a,a,y\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(30)), "utf-8",
                  "duplicate column names"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MESSY))
def test_messy_training_files_fail_in_one_line(tmp_path, capsys, name):
    text, encoding, message = MESSY[name]
    (tmp_path / name).write_bytes(text.encode(encoding))
    code = main(["train", "--csv", str(tmp_path / name), "--target", "y",
                 "--out", str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert message in err
    assert err.count("\n") == 1


def test_a_utf16_export_trains(tmp_path, capsys):
    text = "a,b,y\n" + "".join(f"{i},é{i % 3},{i % 2}\n" for i in range(40))
    (tmp_path / "utf16.csv").write_text(text, encoding="utf-16")
    code = main(["train", "--csv", str(tmp_path / "utf16.csv"), "--target", "y",
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 0, capsys.readouterr()


def test_a_pickle_needing_a_module_the_layer_lacks_is_refused_at_publish(
    registry, tmp_path, capsys, monkeypatch
):
    # A notebook-local helper module: importable here, absent from the layer.
    (tmp_path / "notebook_helpers.py").write_text("def double(matrix):\n    return matrix * 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import notebook_helpers

    features, target = load_iris(return_X_y=True, as_frame=True)
    model = make_pipeline(FunctionTransformer(notebook_helpers.double), LogisticRegression())
    joblib.dump(model.fit(features, target), tmp_path / "model.joblib")
    features.assign(target=target).to_csv(tmp_path / "train.csv", index=False)

    code = main(
        [
            "publish",
            "--model",
            str(tmp_path / "model.joblib"),
            "--data",
            str(tmp_path / "train.csv"),
            "--target",
            "target",
            "--bucket",
            registry.bucket,
        ]
    )

    err = capsys.readouterr().err
    assert code == 1
    assert "'notebook_helpers'" in err
    assert "layer" in err
    assert registry.version_ids() == []
    sys.modules.pop("notebook_helpers", None)

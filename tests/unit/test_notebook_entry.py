"""`publish_model` for notebooks comes from the CLI package; the layer package does not name it."""

import subprocess
import sys

import pytest

import sklambda
import sklambda_cli
from sklambda_cli.publishing.publish import publish_model


def test_publish_model_is_importable_from_the_cli_package():
    from sklambda_cli import publish_model as exported

    assert exported is publish_model
    assert sklambda_cli.publish_model is publish_model


def test_the_cli_package_refuses_names_it_does_not_have():
    with pytest.raises(AttributeError, match="no attribute 'train_model'"):
        _ = sklambda_cli.train_model


def test_the_layer_package_has_no_publish_hook():
    assert not hasattr(sklambda, "publish_model")


def test_importing_the_cli_package_does_not_import_scikit_learn():
    # `sklambda --help` and the API commands start without paying for scikit-learn.
    probe = "import sys, sklambda_cli, sklambda_cli.main; print('sklearn' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"

"""`sklambda publish --model model.joblib --data train.csv --target COLUMN`."""

import argparse
from pathlib import Path

from sklambda.errors import SklambdaError
from sklambda.training.data import load_csv
from sklambda_cli.publishing.publish import build_version


def build_from_files(args: argparse.Namespace, model_name: str, directory: Path) -> list[str]:
    """Write a bundle for a joblib file and its training CSV; returns the notices."""
    import joblib

    if not args.data or not args.target:
        raise SklambdaError("--model needs --data CSV and --target COLUMN")
    model_path = Path(args.model)
    try:
        payload = model_path.read_bytes()
    except OSError as error:
        raise SklambdaError(f"cannot read {model_path}: {error.strerror}") from None
    # The person's own file: the registry stores these exact bytes and their sha256.
    try:
        estimator = joblib.load(model_path)
    except ModuleNotFoundError as error:
        raise SklambdaError(
            f"{model_path} needs module {error.name!r}; install it here and in the layer"
        ) from None
    except (ValueError, EOFError, AttributeError, ImportError) as error:
        raise SklambdaError(
            f"{model_path} is not a joblib file this scikit-learn reads: {error}"
        ) from None
    data = load_csv(Path(args.data), args.target, detect_ids=False)
    holdout = load_csv(Path(args.holdout), args.target, detect_ids=False) if args.holdout else None
    manifest, notices = build_version(
        estimator,
        data,
        directory,
        model_name=model_name,
        task=args.task,
        holdout=holdout,
        holdout_fraction=args.holdout_fraction,
        artifact_bytes=payload,
    )
    metrics = ", ".join(f"{name}={value:.4f}" for name, value in manifest.metrics.items())
    held = manifest.holdout.source if manifest.holdout else "?"
    return [
        *notices,
        f"{manifest.estimator} ({manifest.task}) on {len(manifest.feature_schema.features)} "
        f"features; loads and predicts with the layer's packages only",
        f"metrics on {held}: {metrics}",
    ]

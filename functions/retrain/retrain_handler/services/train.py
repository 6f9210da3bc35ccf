"""Train: the champion's own pipeline, cloned with its parameters, refitted on the bucket's
training data plus recent labels; the candidate is published to the registry but does not serve.
"""

import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from retrain_handler.models import TrainInput, TrainResult
from sklambda.errors import CandidateRejectedError
from sklambda.named_columns import refit_by_position
from sklambda.observability import logger
from sklambda.registry.bundle import publish_bundle
from sklambda.registry.loader import ModelLoader
from sklambda.registry.manifest import HoldoutInfo, Manifest
from sklambda.registry.store import ModelRegistry
from sklambda.retraining import data
from sklambda.runtime import Predictor
from sklambda.runtime.scikit_learn import SklearnPredictor
from sklambda.storage.keys import holdout_key as holdout_key_of
from sklambda.training.train import TrainedModel, holdout_metrics, save_bundle, train_model


def _estimator_of(predictor: Predictor) -> Any:
    """Retraining refits the champion's own scikit-learn pipeline."""
    if not isinstance(predictor, SklearnPredictor):
        raise CandidateRejectedError(
            f"the champion runs on {predictor.runtime}; only scikit-learn champions are refitted"
        )
    return predictor.estimator


@dataclass(frozen=True)
class TrainingSources:
    bucket: str
    training_prefix: str
    labelled_prefix: str
    labelled_lookback: timedelta
    fresh_holdout_fraction: float
    min_fresh_holdout_rows: int


class TrainService:
    def __init__(
        self,
        s3: Any,
        registry: ModelRegistry,
        sources: TrainingSources,
        work_dir: Path,
        loader: ModelLoader,
    ) -> None:
        self._s3 = s3
        self._registry = registry
        self._loader = loader
        self._sources = sources
        self._work_dir = work_dir

    def train(self, request: TrainInput) -> TrainResult:
        state = self._registry.alias()
        if state is None:
            raise CandidateRejectedError(
                f"model {self._registry.model_name!r} has no champion to retrain; publish one first"
            )
        champion = self._registry.manifest(state.pointer.version)
        target = champion.training_data.target
        sources = self._sources
        base = data.read_csv_examples(self._s3, sources.bucket, sources.training_prefix, target)
        since = datetime.now(UTC) - sources.labelled_lookback
        labelled = data.read_labelled_examples(
            self._s3, sources.bucket, sources.labelled_prefix, target, since
        )
        labelled_train, fresh = data.split_fresh_holdout(
            labelled, sources.fresh_holdout_fraction, sources.min_fresh_holdout_rows
        )
        source = f"s3://{sources.bucket}/{sources.training_prefix} + {len(labelled_train)} labelled"
        rows = data.to_training_data(
            champion.feature_schema, target, [*base, *labelled_train], source
        )
        from sklearn.base import clone

        fitted = _estimator_of(self._loader.load_version(state.pointer.version).predictor)
        pipeline = refit_by_position(clone(fitted), champion.feature_schema.names)
        trained = train_model(
            rows, model_name=self._registry.model_name, task=champion.task, pipeline=pipeline
        )
        holdout = fresh or data.examples_from_matrix(
            rows.feature_names, trained.holdout_features, trained.holdout_target
        )
        holdout_key = holdout_key_of(request.run_id)
        data.write_jsonl_object(self._s3, sources.bucket, holdout_key, holdout)
        trained = self._measured_on(trained, champion, holdout, holdout_key, bool(fresh))
        self._work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self._work_dir) as bundle_dir:
            save_bundle(trained, Path(bundle_dir))
            candidate = publish_bundle(self._registry, Path(bundle_dir))
        logger.info(
            "candidate published",
            extra={"candidate": candidate.version, "rows": rows.rows, "metrics": candidate.metrics},
        )
        return TrainResult(
            candidate_version=candidate.version or "",
            champion_version=state.pointer.version,
            holdout_key=holdout_key,
            holdout_source="labelled" if fresh else "training",
            holdout_rows=len(holdout),
            training_rows=rows.rows,
            labelled_rows=len(labelled),
        )

    def _measured_on(
        self,
        trained: TrainedModel,
        champion: Manifest,
        holdout: list[data.Example],
        key: str,
        fresh: bool,
    ) -> TrainedModel:
        """The candidate's manifest metrics come from the run's holdout, the one Evaluate scores
        the champion on, and name it, so the two can be compared."""
        where = f"s3://{self._sources.bucket}/{key}"
        metrics = trained.manifest.metrics
        if fresh:
            rows = data.to_training_data(
                champion.feature_schema, champion.training_data.target, holdout, where
            )
            predictor = SklearnPredictor(trained.estimator, champion.task)
            metrics = holdout_metrics(predictor, rows.matrix(), rows.target)
        kind = "newest labelled rows" if fresh else "split of the training rows"
        info = HoldoutInfo(source=f"{where} ({kind})", rows=len(holdout))
        manifest = trained.manifest.model_copy(update={"metrics": metrics, "holdout": info})
        return replace(trained, manifest=manifest)

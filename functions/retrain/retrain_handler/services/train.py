"""Train: the champion's pipeline and hyperparameters on the bucket's training data plus recent
labels; the candidate is published to the registry but does not serve."""

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from retrain_handler.models import TrainInput, TrainResult
from sklambda.errors import CandidateRejectedError
from sklambda.observability import logger
from sklambda.registry.bundle import publish_bundle
from sklambda.registry.store import ModelRegistry
from sklambda.retraining import data
from sklambda.storage.keys import holdout_key as holdout_key_of
from sklambda.training.train import save_bundle, train_model


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
        self, s3: Any, registry: ModelRegistry, sources: TrainingSources, work_dir: Path
    ) -> None:
        self._s3 = s3
        self._registry = registry
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
        trained = train_model(
            rows,
            model_name=self._registry.model_name,
            task=champion.task,
            hyperparameters=champion.hyperparameters,
        )
        holdout = fresh or data.examples_from_matrix(
            rows.feature_names, trained.holdout_features, trained.holdout_target
        )
        holdout_key = holdout_key_of(request.run_id)
        data.write_jsonl_object(self._s3, sources.bucket, holdout_key, holdout)
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

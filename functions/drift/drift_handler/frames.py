"""Captured records of one model version turned into the matrix its baseline describes."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sklambda.monitoring.capture import CaptureRecord
from sklambda.schema import FeatureKind, FeatureSchema


@dataclass
class VersionTraffic:
    """Rows and predictions captured for one model version, in capture order."""

    version: str
    rows: list[list[Any]] = field(default_factory=list)
    predictions: list[Any] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    foreign_rows: int = 0

    @property
    def size(self) -> int:
        return len(self.predictions)

    def add(self, record: CaptureRecord) -> None:
        if not self.features:
            self.features = record.features
        if record.features != self.features:
            # A schema change inside one version cannot happen; such rows are not comparable.
            self.foreign_rows += len(record.rows)
            return
        self.rows.extend(record.rows)
        self.predictions.extend(record.predictions)

    def matrix(self, schema: FeatureSchema) -> np.ndarray:
        """Columns in the schema's order; numeric columns float (NaN missing), others object."""
        positions = {name: index for index, name in enumerate(self.features)}
        order = [positions[name] for name in schema.names]
        if schema.float_matrix:
            # numpy turns None into NaN when it builds a float array.
            data = np.array(self.rows, dtype=np.float64).reshape(self.size, len(self.features))
            return data[:, order]
        cells = np.empty((self.size, len(order)), dtype=object)
        cells[:] = np.array(self.rows, dtype=object).reshape(self.size, -1)[:, order]
        for column, feature in enumerate(schema.features):
            if feature.kind is not FeatureKind.CATEGORICAL:
                cells[:, column] = np.array(cells[:, column], dtype=np.float64)
        return cells


def group_by_version(records: Iterable[CaptureRecord]) -> dict[str, VersionTraffic]:
    groups: dict[str, VersionTraffic] = defaultdict(lambda: VersionTraffic(version=""))
    for record in records:
        traffic = groups[record.model_version]
        traffic.version = record.model_version
        traffic.add(record)
    return dict(groups)

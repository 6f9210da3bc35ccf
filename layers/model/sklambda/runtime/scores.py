"""What a model returns for a matrix of rows, in one convention for every caller."""

from dataclasses import dataclass

import numpy as np

from sklambda.registry.manifest import ClassLabel


@dataclass(frozen=True)
class Scores:
    """Predictions for the rows of one call.

    ``labels`` holds one prediction per row: the model's own class label for classification
    (never a class index), the predicted value for regression. ``probabilities`` has one row
    per input row and one column per entry of ``classes``; both are None when the model gives
    no probabilities (regression, or a classifier without them).
    """

    labels: np.ndarray
    probabilities: np.ndarray | None = None
    classes: tuple[ClassLabel, ...] | None = None

    def __post_init__(self) -> None:
        if (self.probabilities is None) != (self.classes is None):
            raise ValueError("probabilities and classes come together or not at all")
        if self.probabilities is not None and self.probabilities.shape != (
            len(self.labels),
            len(self.classes or ()),
        ):
            raise ValueError(
                f"probabilities of shape {self.probabilities.shape} do not fit "
                f"{len(self.labels)} rows and {len(self.classes or ())} classes"
            )

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, rows: np.ndarray) -> "Scores":
        """The scores of the selected rows only (an index array or a boolean mask)."""
        return Scores(
            self.labels[rows],
            None if self.probabilities is None else self.probabilities[rows],
            self.classes,
        )

"""The streaming loop: one block of lines at a time is parsed, scored and handed to the sinks,
so memory follows the block size, never the file size."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from batch_handler.adapters.s3io import Lines
from batch_handler.formats import Layout
from batch_handler.models import UnseenCategories, add_unseen
from batch_handler.parsing import Rejected, parse_chunk
from batch_handler.rendering import ScoredRenderer
from sklambda.registry.loader import LoadedModel
from sklambda.runtime import Scores
from sklambda.schema import unseen_category_counts


@dataclass
class Tally:
    lines: int = 0
    rows_scored: int = 0
    rows_rejected: int = 0
    blank_lines: int = 0
    unseen_categories: dict[str, UnseenCategories] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return self.rows_scored + self.rows_rejected


def score_lines(
    blocks: Iterable[Lines],
    layout: Layout,
    model: LoadedModel,
    *,
    first_line: int,
    write_scored: Callable[[list[str]], None],
    write_rejected: Callable[[list[Rejected]], None],
    capture: Callable[[np.ndarray, Scores, int], None] | None = None,
) -> Tally:
    """``capture`` sees each scored block with the number of rows scored before it."""
    renderer = ScoredRenderer(layout, model.predictor.classes, model.version)
    schema = model.manifest.feature_schema
    tally = Tally()
    for lines in blocks:
        parsed = parse_chunk(layout, lines, first_line + tally.lines)
        tally.lines += len(lines)
        tally.blank_lines += parsed.blank_lines
        if parsed.records:
            scores = model.predictor.predict(parsed.features)
            write_scored(renderer.lines(parsed.records, scores))
            if capture is not None:
                capture(parsed.features, scores, tally.rows_scored)
            tally.rows_scored += len(parsed.records)
            add_unseen(tally.unseen_categories, unseen_category_counts(schema, parsed.features))
        if parsed.rejected:
            write_rejected(parsed.rejected)
            tally.rows_rejected += len(parsed.rejected)
    return tally

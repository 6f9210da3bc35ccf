"""hypothesis on the batch parsers: any bytes at all are decoded, split and parsed without an
exception, and every line ends up scored, rejected with a reason, or blank."""

import csv
import io
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch_handler.adapters.s3io import decode_lines, line_blocks
from batch_handler.errors import UnreadableFileError
from batch_handler.formats import FileFormat, Undecodable, csv_layout, json_lines_layout
from batch_handler.parsing import parse_chunk
from batch_handler.pipeline import score_lines
from batch_handler.rendering import rejected_line
from sklambda.runtime import Scores
from sklambda.schema import Feature, FeatureKind, FeatureSchema

SCHEMA = FeatureSchema(
    features=[
        Feature(name="x", kind=FeatureKind.NUMERIC),
        Feature(name="y", kind=FeatureKind.NUMERIC, allows_missing=True),
    ]
)
MIXED = FeatureSchema(
    features=[
        Feature(name="x", kind=FeatureKind.NUMERIC),
        Feature(name="colour", kind=FeatureKind.CATEGORICAL, categories=["red", "blue"]),
    ]
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Bytes that look like data often, and like anything at all sometimes.
FRAGMENTS = [
    b"1",
    b"2.5",
    b",",
    b"\n",
    b"\r\n",
    b"\r",
    b'"',
    b"nan",
    b"inf",
    b"1_000",
    b"\xd9\xa3",
    b"\xe9",
    b"\xff",
    b"\x00",
    b"{",
    b"}",
    b'"x":',
    b'"y":',
    b"[",
    b"]",
    b"9" * 400,
    b" ",
]
data = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=80).map(b"".join),
)


def _check_accounting(lines: list[str], parsed) -> None:
    assert parsed.rows_read + parsed.blank_lines + parsed.continuation_lines == len(lines)
    assert len(parsed.records) == len(parsed.features)
    assert all(row.reason for row in parsed.rejected)
    numbers = [row.line for row in parsed.rejected]
    assert numbers == sorted(numbers)


@SETTINGS
@given(body=data, schema=st.sampled_from([SCHEMA, MIXED]))
def test_csv_of_any_bytes_never_raises_and_every_row_is_accounted_for(body, schema):
    header = "id," + ",".join(f'"{name}"' for name in schema.names)
    lines = decode_lines(body)
    parsed = parse_chunk(csv_layout(header, schema), lines, first_line=2)
    _check_accounting(lines, parsed)
    for row in parsed.rejected:
        rejected_line(FileFormat.CSV, row)


@SETTINGS
@given(body=data, schema=st.sampled_from([SCHEMA, MIXED]))
def test_json_lines_of_any_bytes_never_raise_and_rejections_are_strict_json(body, schema):
    lines = decode_lines(body)
    parsed = parse_chunk(json_lines_layout(schema), lines, first_line=1)
    _check_accounting(lines, parsed)

    def refuse(constant: str) -> None:
        raise ValueError(constant)

    for row in parsed.rejected:
        json.loads(rejected_line(FileFormat.JSON_LINES, row), parse_constant=refuse)


@SETTINGS
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "x": st.integers() | st.floats() | st.none() | st.text(max_size=5),
                "y": st.integers(min_value=-(10**500), max_value=10**500) | st.floats(),
            }
        ),
        max_size=30,
    )
)
def test_json_lines_rows_are_scored_or_rejected_row_for_row(rows):
    lines = [json.dumps(row) for row in rows]
    parsed = parse_chunk(json_lines_layout(SCHEMA), lines, first_line=1)
    _check_accounting(lines, parsed)


@SETTINGS
@given(header=st.text(max_size=60) | st.text(max_size=20).map(lambda noise: "x,y" + noise))
def test_any_header_is_a_layout_or_a_permanent_file_error(header):
    try:
        layout = csv_layout(header, SCHEMA)
    except UnreadableFileError:
        return  # a permanent, recorded error: never retried
    assert len(layout.feature_columns) == len(SCHEMA.names)
    assert max(layout.feature_columns) < layout.column_count


@SETTINGS
@given(body=data, chunk=st.integers(min_value=1, max_value=64))
def test_blocks_keep_every_byte_and_lines_lose_only_their_line_ending(body, chunk):
    blocks = list(line_blocks([body[i : i + 7] for i in range(0, len(body), 7)], chunk))
    expected = body if not body or body.endswith(b"\n") else body + b"\n"
    assert b"".join(blocks) == expected
    for block in blocks:
        raw_lines = block.split(b"\n")[:-1]
        lines = decode_lines(block)
        assert len(lines) == len(raw_lines)
        for raw, line in zip(raw_lines, lines, strict=True):
            content = raw.removesuffix(b"\r")
            try:
                assert line == content.decode("utf-8")
            except UnicodeDecodeError:
                assert line == content.decode("latin-1")
                assert isinstance(line, Undecodable)


class _FirstFeature:
    """A stand-in model: predicts each row's first feature, so outputs can be traced to rows."""

    version = "v1"

    class manifest:
        feature_schema = SCHEMA.model_copy(update={"features": SCHEMA.features[:1]})

    class predictor:
        classes = None

        @staticmethod
        def predict(features: np.ndarray) -> Scores:
            return Scores(np.asarray(features[:, 0], dtype=np.float64))


_NOTES = st.text(alphabet=st.sampled_from('ab,"\n\r '), max_size=12)


@SETTINGS
@given(
    rows=st.lists(st.tuples(st.integers(-99, 99), _NOTES), min_size=1, max_size=25),
    block=st.integers(min_value=1, max_value=7),
)
def test_quoted_values_with_line_breaks_are_one_row_across_any_blocks(rows, block):
    # Given a spreadsheet export whose note column holds commas, quotes and line breaks
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[x, note] for x, note in rows])
    lines = decode_lines(buffer.getvalue().encode())
    blocks = [lines[start : start + block] for start in range(0, len(lines), block)]
    scored: list[str] = []
    rejected: list = []
    # When it is scored in blocks of a few lines
    tally = score_lines(
        blocks,
        csv_layout("x,note", SCHEMA.model_copy(update={"features": SCHEMA.features[:1]})),
        _FirstFeature(),  # type: ignore[arg-type]
        first_line=2,
        write_scored=scored.extend,
        write_rejected=rejected.extend,
    )
    # Then every row is scored once, whole, in order (CRLF inside a value reads as LF)
    assert not rejected
    assert tally.rows_scored == tally.rows_read == len(rows)
    back = list(csv.reader(io.StringIO("\n".join(scored), newline="")))
    assert [int(row[0]) for row in back] == [x for x, _ in rows]
    assert [row[1] for row in back] == [note.replace("\r\n", "\n") for _, note in rows]

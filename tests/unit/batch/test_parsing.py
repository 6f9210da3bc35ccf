"""Every non-blank line of a chunk is accepted or rejected with a reason; clean rows are exact."""

import json
import math

import numpy as np
import pytest

from batch_handler.errors import UnreadableFileError
from batch_handler.formats import FileFormat, Undecodable, csv_layout, json_lines_layout
from batch_handler.parsing import NOT_UTF8, parse_chunk
from sklambda.schema import Feature, FeatureKind, FeatureSchema

SCHEMA = FeatureSchema(
    features=[
        Feature(name="width, cm", kind=FeatureKind.NUMERIC),
        Feature(name="height", kind=FeatureKind.NUMERIC, allows_missing=True),
    ]
)
HEADER = '\ufeffid,"width, cm",height,note'


def test_messy_csv_lines_are_each_accepted_or_rejected_with_a_reason():
    # Given a chunk with quoted commas, bad numbers, short rows, blank lines and bad bytes
    layout = csv_layout(HEADER, SCHEMA)
    lines = [
        'a1,1.5,2.5,"quoted, with a comma"',
        "a2,abc,1,x",
        "",
        "a3,1",
        "a4,2,,blank height is missing and allowed",
        "a5,inf,1,x",
        "a6,,1,width missing and not allowed",
        Undecodable("a7,caf\xe9,1,x"),
        '  a7 , 3 , 4 ,"unterminated',
        "   ",
        "a8,NaN,1,x",
        "a9,1e3,-2,x",
    ]
    # When it is parsed from line 2 on
    parsed = parse_chunk(layout, lines, first_line=2)
    # Then the counts add up and each refusal names its line and why
    assert parsed.rows_read == 10
    assert parsed.blank_lines == 2
    assert [row.split(",")[0] for row in parsed.records] == ["a1", "a4", "a9"]
    np.testing.assert_array_equal(parsed.features[[0, 2]], [[1.5, 2.5], [1000.0, -2.0]])
    assert parsed.features[1, 0] == 2.0
    assert math.isnan(parsed.features[1, 1])
    reasons = {row.line: row.reason for row in parsed.rejected}
    assert reasons == {
        3: "feature 'width, cm': expected a number, got 'abc'",
        5: "has 2 fields; the header has 4",
        7: "feature 'width, cm': infinity is not allowed",
        8: "feature 'width, cm': is missing but the model was trained without missing values",
        9: NOT_UTF8,
        10: "unterminated quoted field (a quoted value cannot span lines)",
        12: "feature 'width, cm': is missing but the model was trained without missing values",
    }
    assert [row.line for row in parsed.rejected] == sorted(reasons)
    # The undecodable row keeps its record, read as Latin-1
    assert {row.line: row.record for row in parsed.rejected}[9] == "a7,caf\xe9,1,x"


def test_one_bad_row_among_many_leaves_the_rest_on_the_fast_path_in_order():
    layout = csv_layout("id,width, cm,height".replace("width, cm", '"width, cm"'), SCHEMA)
    rows = [f"r{index},{index}.5,{index}" for index in range(1000)]
    rows[617] = "r617,oops,1"
    parsed = parse_chunk(layout, rows, first_line=2)
    assert [row.line for row in parsed.rejected] == [619]
    expected = [[index + 0.5, index] for index in range(1000) if index != 617]
    np.testing.assert_array_equal(parsed.features, expected)
    assert parsed.records[617] == "r618,618.5,618"


def test_wrong_header_is_a_file_error_naming_the_missing_features():
    with pytest.raises(UnreadableFileError, match="lacks the model's feature\\(s\\) 'width, cm'"):
        csv_layout("id,width,height", SCHEMA)
    with pytest.raises(UnreadableFileError, match="more than once"):
        csv_layout('"width, cm",height,height', SCHEMA)
    with pytest.raises(UnreadableFileError, match="overwritten"):
        csv_layout('"width, cm",height,prediction', SCHEMA)


def test_json_lines_carry_extra_keys_and_refuse_what_the_api_refuses():
    layout = json_lines_layout(SCHEMA)
    lines = [
        json.dumps({"id": 1, "width, cm": 1.0, "height": 2}),
        "{not json",
        "[1, 2]",
        json.dumps({"id": 3, "height": 2}),
        json.dumps({"id": 4, "width, cm": "wide", "height": 2}),
        json.dumps({"id": 5, "width, cm": 3, "height": None}),
        "",
    ]
    parsed = parse_chunk(layout, lines, first_line=1)
    assert parsed.rows_read == 6
    assert parsed.blank_lines == 1
    assert [json.loads(record)["id"] for record in parsed.records] == [1, 5]
    assert parsed.features[0].tolist() == [1.0, 2.0]
    reasons = {row.line: row.reason for row in parsed.rejected}
    assert reasons[2].startswith("not valid JSON")
    assert reasons[3] == "expected a JSON object, got list"
    assert reasons[4] == "feature 'width, cm': missing feature"
    assert reasons[5].startswith("feature 'width, cm': expected a number, got str")


def test_clean_json_lines_take_the_vectorised_path():
    layout = json_lines_layout(SCHEMA)
    lines = [
        json.dumps({"width, cm": index, "height": index / 2, "id": f"x{index}"})
        for index in range(50)
    ]
    parsed = parse_chunk(layout, lines, first_line=1)
    assert not parsed.rejected
    np.testing.assert_array_equal(parsed.features, [[index, index / 2] for index in range(50)])


def test_formats_come_from_the_key():
    assert FileFormat.of_key("incoming/a/b.CSV") is FileFormat.CSV
    assert FileFormat.of_key("incoming/x.ndjson") is FileFormat.JSON_LINES
    with pytest.raises(UnreadableFileError, match="neither CSV"):
        FileFormat.of_key("incoming/x.parquet")


def test_spreadsheet_spellings_read_as_training_reads_them():
    # Numbers with thousands separators and the usual "no value" spellings, as exports write them
    layout = csv_layout(HEADER, SCHEMA)
    lines = ['b1,"12,345.5",N/A,x', 'b2,"1,000",#N/A,x', 'b3,"1,00",<NA>,x', "b4,7,NULL,x"]
    parsed = parse_chunk(layout, lines, first_line=2)
    assert [row.split(",")[0] for row in parsed.records] == ["b1", "b2", "b4"]
    assert parsed.features[:, 0].tolist() == [12345.5, 1000.0, 7.0]
    assert np.isnan(parsed.features[:, 1]).all()
    assert [row.line for row in parsed.rejected] == [4]

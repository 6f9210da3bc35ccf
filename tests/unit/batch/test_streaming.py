"""Blocks of whole lines and output lines that keep the input record verbatim."""

import json

import numpy as np

from batch_handler.adapters.s3io import decode_lines, line_blocks
from batch_handler.formats import FileFormat, Undecodable, csv_layout, json_lines_layout
from batch_handler.parsing import Rejected
from batch_handler.rendering import ScoredRenderer, rejected_line
from sklambda.runtime import Scores
from sklambda.schema import Feature, FeatureKind, FeatureSchema

SCHEMA = FeatureSchema(features=[Feature(name="x", kind=FeatureKind.NUMERIC)])


def test_blocks_end_at_newlines_and_lose_no_byte():
    data = b"".join(f"line {index}\n".encode() for index in range(500)) + b"tail without newline"
    pieces = [data[start : start + 37] for start in range(0, len(data), 37)]
    blocks = list(line_blocks(pieces, chunk_bytes=256))
    assert len(blocks) > 10
    assert all(block.endswith(b"\n") for block in blocks)
    assert b"".join(blocks) == data + b"\n"


def test_decoding_keeps_line_positions_for_crlf_and_bad_bytes():
    assert decode_lines(b"a\r\nb\r\n") == ["a", "b"]
    lines = decode_lines(b"ok\n\xff\xfe\nalso ok\n")
    assert lines == ["ok", "\xff\xfe", "also ok"]
    assert [isinstance(line, Undecodable) for line in lines] == [False, True, False]


def test_crlf_lines_lose_their_cr_even_when_a_block_has_a_latin1_byte():
    # Given CRLF lines where one holds a Latin-1 byte (the line-by-line decode path)
    lines = decode_lines(b"id,x\r\nb,caf\xe9\r\nc,2\r\n")
    # Then no line keeps a carriage return, and the bad one is kept for the rejected file
    assert lines == ["id,x", "b,caf\xe9", "c,2"]
    assert not any("\r" in line for line in lines)


def test_csv_output_appends_scores_to_the_untouched_record():
    layout = csv_layout("id,x", SCHEMA)
    renderer = ScoredRenderer(layout, ["no", "yes, really"], "v1")
    scores = Scores(
        np.array(["yes, really", "no"]),
        np.array([[0.25, 0.75], [0.5, 0.5]]),
        ("no", "yes, really"),
    )
    assert (
        renderer.header()
        == 'id,x,prediction,probability_no,"probability_yes, really",model_version'
    )
    assert renderer.lines(['"a,b",1', "c,2"], scores) == [
        '"a,b",1,"yes, really",0.25,0.75,v1',
        "c,2,no,0.5,0.5,v1",
    ]


def test_json_output_is_the_record_with_its_scores_added():
    renderer = ScoredRenderer(json_lines_layout(SCHEMA), [0, 1], "v2")
    scores = Scores(np.array([1]), np.array([[0.1, 0.9]]), (0, 1))
    (line,) = renderer.lines(['{"id": "a", "x": 3} '], scores)
    assert json.loads(line) == {
        "id": "a",
        "x": 3,
        "prediction": 1,
        "probabilities": {"0": 0.1, "1": 0.9},
        "model_version": "v2",
    }


def test_rejected_rows_keep_the_original_record():
    row = Rejected(7, "bad, very", 'a,"b"')
    assert rejected_line(FileFormat.CSV, row) == '7,"bad, very","a,""b"""'
    assert json.loads(rejected_line(FileFormat.JSON_LINES, Rejected(3, "r", '{"x": 1}'), 9)) == {
        "line_number": 9,
        "reason": "r",
        "record": {"x": 1},
    }


def test_labels_of_a_classifier_without_probabilities_are_written_as_each_format_quotes_them():
    # An SVC or LinearSVC fitted on text or boolean labels predicts labels and no probabilities
    scores = Scores(np.array(["yes", "no, never", True, 2.5], dtype=object))
    csv_lines = ScoredRenderer(csv_layout("id,x", SCHEMA), None, "v3").lines(
        ["a,1", "b,2", "c,3", "d,4"], scores
    )
    assert csv_lines == ["a,1,yes,v3", 'b,2,"no, never",v3', "c,3,True,v3", "d,4,2.5,v3"]
    json_lines = ScoredRenderer(json_lines_layout(SCHEMA), None, "v3").lines(
        ['{"x": 1}'] * 4, scores
    )
    predictions = [json.loads(line)["prediction"] for line in json_lines]
    assert predictions == ["yes", "no, never", True, 2.5]

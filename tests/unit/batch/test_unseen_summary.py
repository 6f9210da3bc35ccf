"""Batch runs count the categories the model never saw, per feature, in bounded records."""

from batch_handler.models import MAX_UNSEEN_VALUES, RunSummary, UnseenCategories, add_unseen
from sklambda_cli.score import unseen_line


def test_blocks_add_up_per_feature():
    found: dict[str, UnseenCategories] = {}
    add_unseen(found, {"town": {"lille": 2, "Rome": 1}})
    add_unseen(found, {"town": {"lille": 1}, "plan": {"gold": 4}})
    assert found["town"] == UnseenCategories(rows=4, values={"lille": 3, "Rome": 1})
    assert found["plan"] == UnseenCategories(rows=4, values={"gold": 4})


def test_many_distinct_values_keep_the_most_frequent_and_an_exact_row_count():
    found: dict[str, UnseenCategories] = {}
    add_unseen(found, {"id": {f"v{i}": 1 for i in range(100)}})
    add_unseen(found, {"id": {"v99": 50}})
    summary = found["id"]
    assert summary.rows == 150
    assert len(summary.values) == MAX_UNSEEN_VALUES
    assert summary.values_cut is True
    # v99 fell out of the first, full list: once cut, a count is a lower bound.
    assert next(iter(summary.values.items())) == ("v99", 50)


def test_chunk_summaries_merge_like_blocks_and_keep_the_cut_flag():
    first = {"town": UnseenCategories(rows=3, values={"lille": 3})}
    second = {"town": UnseenCategories(rows=7, values={"lille": 2, "x": 1}, values_cut=True)}
    merged = add_unseen(add_unseen({}, first), second)
    assert merged["town"] == UnseenCategories(rows=10, values={"lille": 5, "x": 1}, values_cut=True)


def test_the_run_record_and_the_cli_line_name_them():
    record = RunSummary.model_validate(
        {
            "status": "succeeded",
            "input": {"bucket": "b", "key": "incoming/a.csv", "version_id": "1", "etag": "e",
                      "size": 1},
            "model_name": "m",
            "started_at": "2030-01-01T00:00:00Z",
            "unseen_categories": {"town": {"rows": 5, "values": {"lille": 4, "Rome": 1}}},
        }
    ).model_dump(mode="json")  # fmt: skip
    line = unseen_line(record)
    assert line == (
        "categories not seen in training (scored anyway): town in 5 rows ('lille' 4, 'Rome' 1)"
    )
    assert unseen_line({**record, "unseen_categories": {}}) is None

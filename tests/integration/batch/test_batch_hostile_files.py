"""Files nobody here designed: each bad row is rejected with its reason and the rest scored;
a file that cannot be read at all fails once, permanently, until a new version arrives."""

import csv
import io
import json
import threading

import numpy as np
import pytest

from tests.integration.batch.files import csv_text, jsonl_text


def _run(batch, key: str) -> dict:
    return json.loads(batch.read("runs/" + key.removeprefix("incoming/") + ".json"))


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _accounted(record: dict, rows: int) -> None:
    assert record["status"] == "succeeded", record
    assert record["rows_read"] == record["rows_scored"] + record["rows_rejected"] == rows


def _rows(batch, champion, trained, count: int = 6) -> tuple[list[str], np.ndarray]:
    return champion.feature_schema.names, trained.holdout_features[:count]


def test_a_bare_cr_in_an_unquoted_field_rejects_that_row_only(batch, champion, trained):
    names, rows = _rows(batch, champion, trained)
    lines = csv_text(names, rows).splitlines()
    lines[2] = lines[2].replace(',"says', ",sa\rys ", 1).replace('""hi"", twice"', "hi")
    batch.invoke(batch.upload("incoming/cr-field.csv", "\n".join(lines) + "\n"))
    record = _run(batch, "incoming/cr-field.csv")
    _accounted(record, len(rows))
    assert record["rows_rejected"] == 1
    (rejected,) = list(csv.DictReader(io.StringIO(batch.read("rejected/cr-field.csv"))))
    assert rejected["line_number"] == "3"
    assert "carriage return" in rejected["reason"]
    assert "\r" in rejected["record"]


def test_cr_only_line_endings_fail_once_permanently_until_a_new_version(
    batch, champion, trained, sweep_event
):
    names, rows = _rows(batch, champion, trained)
    text = csv_text(names, rows)
    batch.invoke(batch.upload("incoming/mac.csv", text.replace("\n", "\r")))
    record = _run(batch, "incoming/mac.csv")
    assert record["status"] == "failed"
    assert record["error"]["retryable"] is False
    assert "LF or CRLF" in record["error"]["message"]
    # The sweep leaves a permanent failure alone
    assert batch.invoke(sweep_event())["started"] == []
    # A new version of the file is scored
    batch.invoke(batch.upload("incoming/mac.csv", text))
    _accounted(_run(batch, "incoming/mac.csv"), len(rows))


def _hostile_json_lines(names: list[str], rows: np.ndarray) -> str:
    lines = jsonl_text(names, rows).splitlines()
    first = names[0]
    lines[1] = lines[1].replace(f'"{first}": ', f'"{first}": ' + "9" * 401 + ', "was": ', 1)
    lines[2] = lines[2].replace(f'"{first}": ', f'"{first}": ' + "8" * 5000 + ', "was": ', 1)
    lines[3] = lines[3].replace(
        f'"{first}": ', f'"{first}": ' + "[" * 5000 + "]" * 5000 + ', "was": ', 1
    )
    lines[4] = "[" * 10_000 + "]" * 10_000
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("copies", [1, 12], ids=["one-file", "distributed"])
def test_json_lines_with_huge_integers_and_deep_nesting_reject_only_those_rows(
    batch, champion, trained, copies
):
    names, rows = _rows(batch, champion, trained)
    batch.invoke(batch.upload("incoming/hostile.jsonl", _hostile_json_lines(names, rows) * copies))
    if copies > 1:
        batch.wait_for_executions()
    record = _run(batch, "incoming/hostile.jsonl")
    assert record["mode"] == ("single" if copies == 1 else "distributed")
    _accounted(record, len(rows) * copies)
    assert record["rows_rejected"] == 4 * copies
    rejected = [_strict_json(line) for line in batch.read("rejected/hostile.jsonl").splitlines()]
    reasons = {row["line_number"]: row["reason"] for row in rejected}
    assert "401 digits" in reasons[2]
    assert "beyond the range" in reasons[2]
    assert "5000 digits" in reasons[3]
    assert "nested deeper than" in reasons[4]
    assert "nested deeper than" in reasons[5]


def test_crlf_csv_with_one_latin1_byte_has_no_bare_cr_in_its_outputs(batch, champion, trained):
    names, rows = _rows(batch, champion, trained, 19)
    lines = csv_text(names, rows).splitlines()
    raw = ("\r\n".join(lines) + "\r\n").encode()
    raw = raw.replace(b"c4,", b"caf\xe9,", 1)
    batch.invoke(batch.upload("incoming/windows.csv", raw))
    record = _run(batch, "incoming/windows.csv")
    _accounted(record, 19)
    scored = batch.read("scored/windows.csv")
    assert "\r" not in scored
    assert len(list(csv.reader(io.StringIO(scored)))) == 1 + record["rows_scored"]
    # The Latin-1 row is rejected, and its record is kept (read as Latin-1)
    (rejected,) = list(csv.DictReader(io.StringIO(batch.read("rejected/windows.csv"))))
    assert "not valid UTF-8" in rejected["reason"]
    assert rejected["record"].startswith("caf\xe9,")


def test_rejected_json_lines_are_strict_json_without_nan_or_infinity(batch, champion, trained):
    names, rows = _rows(batch, champion, trained)
    lines = jsonl_text(names, rows).splitlines()
    lines[0] = lines[0].replace(f'"{names[0]}": ', f'"{names[0]}": NaN, "x": ', 1)
    lines[1] = lines[1].replace(f'"{names[0]}": ', f'"{names[0]}": Infinity, "x": ', 1)
    lines[2] = lines[2].replace(f'"{names[0]}": ', f'"{names[0]}": -Infinity, "x": ', 1)
    batch.invoke(batch.upload("incoming/constants.jsonl", "\n".join(lines) + "\n"))
    _accounted(_run(batch, "incoming/constants.jsonl"), len(rows))
    rejected = batch.read("rejected/constants.jsonl").splitlines()
    assert len(rejected) == 3
    for line in rejected:
        row = _strict_json(line)
        assert isinstance(row["record"], str)  # kept as the text it was


def test_a_json_lines_file_starting_with_a_bom_scores_its_first_line(batch, champion, trained):
    names, rows = _rows(batch, champion, trained)
    batch.invoke(batch.upload("incoming/bom.jsonl", "\ufeff" + jsonl_text(names, rows)))
    record = _run(batch, "incoming/bom.jsonl")
    _accounted(record, len(rows))
    assert record["rows_rejected"] == 0


@pytest.mark.parametrize("number", ["1_000", "\u0663", "\u0661\u0662", "1\u00a0000", "0x10"])
def test_csv_refuses_numbers_python_would_accept(batch, champion, trained, number):
    names, rows = _rows(batch, champion, trained)
    lines = csv_text(names, rows).splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + "," + number
    batch.invoke(batch.upload("incoming/digits.csv", "\n".join(lines) + "\n"))
    record = _run(batch, "incoming/digits.csv")
    _accounted(record, len(rows))
    assert record["rows_rejected"] == 1
    (rejected,) = list(csv.DictReader(io.StringIO(batch.read("rejected/digits.csv"))))
    assert "expected a number" in rejected["reason"]


def test_concurrent_deliveries_of_one_event_write_no_duplicate_rows(batch, champion, trained):
    names, rows = _rows(batch, champion, trained, 40)
    event = batch.upload("incoming/twice.csv", csv_text(names, rows))
    outcomes: list[dict] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            outcomes.append(batch.invoke(event))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(outcome["result"] == "succeeded" for outcome in outcomes) == 1
    scored = list(csv.DictReader(io.StringIO(batch.read("scored/twice.csv"))))
    assert [row["customer_id"] for row in scored] == [f"c{index}" for index in range(40)]
    _accounted(_run(batch, "incoming/twice.csv"), 40)


def test_a_failed_large_run_stays_failed_and_a_retry_is_a_new_execution(
    batch, champion, trained, monkeypatch, sweep_event
):
    from batch_handler.runner import Runner

    real = Runner.score_chunk
    cursed = {"on": True}

    def flaky(self, task):
        if cursed["on"] and task.chunk.index == 1:
            raise ValueError("chunk 1 is cursed")
        return real(self, task)

    monkeypatch.setattr(Runner, "score_chunk", flaky)
    names = champion.feature_schema.names
    body = csv_text(names, np.tile(trained.holdout_features, (3, 1)))
    batch.invoke(batch.upload("incoming/retried.csv", body))
    (first,) = batch.wait_for_executions()
    failed = _run(batch, "incoming/retried.csv")
    assert failed["status"] == "failed"
    assert failed["error"]["retryable"] is True
    # When the sweep retries it, a new execution starts under a new name
    cursed["on"] = False
    report = batch.invoke(sweep_event())
    assert [item["key"] for item in report["started"]] == ["incoming/retried.csv"]
    executions = batch.wait_for_executions()
    names_started = {execution["name"] for execution in executions}
    assert len(names_started) == 2
    assert first["name"] in names_started
    record = _run(batch, "incoming/retried.csv")
    assert record["status"] == "succeeded", record
    assert record["attempt"] == 2
    _accounted(record, len(trained.holdout_features) * 3)

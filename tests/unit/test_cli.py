import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sklambda_cli.main import (
    EXIT_CLOSED_PIPE,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    build_parser,
    main,
)

ROOT = Path(__file__).resolve().parents[2]

COMMANDS = [
    "train",
    "publish",
    "sign",
    "promote",
    "rollback",
    "models",
    "predict",
    "score",
    "retrain",
    "runs",
    "openapi",
]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"] if command else ["--help"])
    assert exited.value.code == 0
    assert "usage: sklambda" in capsys.readouterr().out


def test_the_parser_knows_every_command():
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    assert sorted(subparsers.choices) == sorted(COMMANDS)


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["frobnicate"], 2, "invalid choice: 'frobnicate'"),
        (["promote"], 2, "the following arguments are required: version"),
        (["models"], 1, "no bucket: pass --bucket or set SKLAMBDA_BUCKET"),
        (["publish", "build/model", "--bucket", "b"], 1, "no signing key: pass --signing-key"),
        (["train", "--csv", "data.csv"], 1, "--csv needs --target"),
        (["train", "--csv", "missing.csv", "--target", "y"], 1, "cannot read missing.csv"),
        (["predict", "--data", "[]"], 1, "no API URL"),
        (["predict", "--url", "http://127.0.0.1:9", "--data", "{oops"], 1, "not valid JSON"),
    ],
)
def test_errors_are_one_line_with_a_non_zero_exit(argv, code, message, capsys, monkeypatch):
    monkeypatch.delenv("SKLAMBDA_BUCKET", raising=False)
    monkeypatch.delenv("SKLAMBDA_API_URL", raising=False)
    try:
        returned = main(argv)
    except SystemExit as exited:
        returned = exited.code
    error = capsys.readouterr().err
    assert returned == code
    assert len(error.strip().splitlines()) == 1
    assert message in error


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert re.fullmatch(r"sklambda \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_top_level_help_has_examples_and_documents_every_exit_code(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert "examples:\n  sklambda train" in help_text
    for code in (EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_CLOSED_PIPE):
        assert re.search(rf"^  {code} +\S", help_text, re.MULTILINE), code


@pytest.mark.parametrize("command", ["models", "runs"])
def test_every_listing_command_offers_json(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--json" in capsys.readouterr().out


def _with_closed_stdout(code: str) -> subprocess.CompletedProcess[str]:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-c", code],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "layers/model")]),
            },
        )
    finally:
        os.close(write_end)


def test_a_closed_pipe_ends_a_listing_quietly():
    # Given a listing longer than a pipe's buffer, read by `head -1` that has already exited
    listing = (
        "import sys, sklambda_cli.main as cli\n"
        "cli._models = lambda args: [print(f'v{i}') for i in range(100_000)]\n"
        "sys.exit(cli.main(['models', '--bucket', 'b']))"
    )
    completed = _with_closed_stdout(listing)
    # Then nothing is printed and the exit code says what happened
    assert completed.stderr == ""
    assert completed.returncode == EXIT_CLOSED_PIPE


def test_help_into_a_closed_pipe_is_quiet_too():
    completed = _with_closed_stdout(
        "import sys\nfrom sklambda_cli.main import main\nsys.exit(main(['--help']))"
    )
    assert completed.stderr == ""
    assert completed.returncode in (EXIT_OK, EXIT_CLOSED_PIPE)

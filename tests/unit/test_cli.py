import pytest

from sklambda_cli.main import build_parser, main

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

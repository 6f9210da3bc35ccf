"""sklambda: train, publish and promote scikit-learn models; score files; call the API; retrain."""

import argparse
import json
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from sklambda.errors import SklambdaError

DEFAULT_MODEL_NAME = "sklambda-model"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_CLOSED_PIPE = 128 + signal.SIGPIPE

EPILOG = f"""\
examples:
  sklambda train --csv loans.csv --target approved --out build/model
  sklambda publish build/model --promote --bucket my-models
  sklambda models --json | jq '.[] | select(.role == "champion")'
  sklambda predict --url https://abc123.execute-api.eu-west-1.amazonaws.com/prod \\
      --data '[{{"age": 41, "income": 52000}}]'
  sklambda retrain --wait --reason "labels for March arrived"
  sklambda runs --limit 5
  sklambda openapi --out openapi.json

environment: SKLAMBDA_BUCKET, SKLAMBDA_MODEL_NAME, SKLAMBDA_API_URL, SKLAMBDA_API_KEY,
  SKLAMBDA_RETRAIN_STATE_MACHINE stand in for the options of the same name.

exit codes:
  {EXIT_OK}    success
  {EXIT_ERROR}    failure: bad input, AWS refused a call, the API answered an error,
       a retraining run did not succeed (one line on stderr says which)
  {EXIT_USAGE}    usage error: unknown command or option, missing argument
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
  {EXIT_CLOSED_PIPE}  the reader of the output went away (e.g. `sklambda models | head -1`);
       nothing is printed
"""


def _version() -> str:
    try:
        return metadata.version("sklambda")
    except metadata.PackageNotFoundError:
        return "unknown (not installed as a package)"


class _OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error; one line with a pointer to --help is clearer."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _registry(args: argparse.Namespace) -> Any:
    from sklambda import aws
    from sklambda.registry.signing import KmsSigner
    from sklambda.registry.store import ModelRegistry

    if not args.bucket:
        raise SklambdaError("no bucket: pass --bucket or set SKLAMBDA_BUCKET")
    signing_key = getattr(args, "signing_key", None)
    signer = KmsSigner(aws.client("kms"), signing_key) if signing_key else None
    return ModelRegistry(aws.client("s3"), args.bucket, args.model_name, signer=signer)


def _require_signing_key(args: argparse.Namespace) -> None:
    if not args.signing_key:
        raise SklambdaError(
            "no signing key: pass --signing-key or set SKLAMBDA_SIGNING_KEY (the stack's "
            "alias/<stack>-model-signing); functions refuse unsigned manifests"
        )


def _train(args: argparse.Namespace) -> None:
    from sklambda.training.data import load_bundled, load_csv
    from sklambda.training.train import choose_task, save_bundle, train_model

    if args.csv and not args.target:
        raise SklambdaError("--csv needs --target, the name of the column to predict")
    if args.drop and not args.csv:
        raise SklambdaError("--drop applies to --csv files")
    data = (
        load_csv(Path(args.csv), args.target, args.drop) if args.csv else load_bundled(args.dataset)
    )
    for notice in data.notices:
        print(notice)
    choice = choose_task(data.target)
    print(choice.describe(inferred=args.task is None))
    _progress(f"read {data.rows} rows from {data.source}; training…")
    trained = train_model(
        data,
        model_name=args.model_name,
        task=args.task or choice.task,
        estimator=args.estimator,
        hyperparameters=_json_object(args.params, "--params"),
        seed=args.seed,
    )
    _progress("trained; writing the bundle…")
    manifest = save_bundle(trained, Path(args.out))
    metrics = ", ".join(f"{name}={value:.4f}" for name, value in manifest.metrics.items())
    print(f"trained {manifest.estimator} on {data.rows} rows from {data.source}: {metrics}")
    if manifest.onnx is not None:
        print(f"onnx: {manifest.onnx.note}")
    print(f"wrote {args.out}/ (sha256 {manifest.artifact.sha256[:12]}…); publish it with:")
    print(f"  sklambda publish {args.out}")


def _json_object(raw: str | None, option: str) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise SklambdaError(f"{option} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise SklambdaError(f'{option} must be a JSON object such as {{"max_depth": 4}}')
    return value


def _publish(args: argparse.Namespace) -> None:
    from sklambda_cli.publishing.registry_access import publish_and_promote

    if (args.bundle is None) == (args.model is None):
        raise SklambdaError("give a bundle directory, or --model FILE with --data and --target")
    _require_signing_key(args)
    registry = _registry(args)
    if args.model:
        from sklambda_cli.publishing.files import build_from_files

        with tempfile.TemporaryDirectory() as work:
            for line in build_from_files(args, registry.model_name, Path(work)):
                print(line)
            _, lines = publish_and_promote(
                registry, Path(work), promote=args.promote, force=args.force
            )
    else:
        _, lines = publish_and_promote(
            registry, Path(args.bundle), promote=args.promote, force=args.force
        )
    for line in lines:
        print(line)


def _sign(args: argparse.Namespace) -> None:
    """Migration: sign versions published before manifests were signed."""
    _require_signing_key(args)
    registry = _registry(args)
    versions = registry.version_ids() if args.all else [args.version]
    if not args.all and not args.version:
        raise SklambdaError("name a version, or pass --all")
    for version in versions:
        if registry.is_signed(version):
            print(f"{version} already signed")
            continue
        registry.sign_version(version)
        print(f"signed {version}")


def _promote(args: argparse.Namespace) -> None:
    from sklambda_cli.publishing.promotion import promote_checked

    for line in promote_checked(
        _registry(args),
        args.version,
        reason=args.reason,
        force=args.force,
        expected_current=args.expect_current,
        inference_runtime=args.inference_runtime,
    ):
        print(line)


def _rollback(args: argparse.Namespace) -> None:
    pointer = _registry(args).rollback(reason=args.reason)
    print(f"rolled back: champion is now {pointer.version} (was {pointer.previous})")


def _models(args: argparse.Namespace) -> None:
    registry = _registry(args)
    state = registry.alias()
    champion = state.pointer.version if state else None
    previous = state.pointer.previous if state else None
    versions = registry.version_ids()
    rows = []
    for version in reversed(versions):
        manifest = registry.manifest(version)
        role = "champion" if version == champion else "previous" if version == previous else ""
        rows.append((version, role, manifest))
    if args.json:
        listing = [
            {
                "version": version,
                "role": role or None,
                "created_at": manifest.created_at.isoformat(),
                "estimator": manifest.estimator,
                "metrics": manifest.metrics,
                "holdout": manifest.holdout.model_dump(mode="json") if manifest.holdout else None,
            }
            for version, role, manifest in rows
        ]
        print(json.dumps(listing, indent=2))
        return
    if not rows:
        print(f"model {args.model_name!r} has no versions in s3://{args.bucket}")
        return
    for version, role, manifest in rows:
        metrics = " ".join(f"{name}={value:.4f}" for name, value in manifest.metrics.items())
        onnx = "onnx" if manifest.onnx and manifest.onnx.artifact else "no-onnx"
        print(
            f"{version}  {role:<9} {manifest.created_at:%Y-%m-%d %H:%M}  "
            f"{manifest.estimator}  {onnx}  {metrics}"
        )
        # Metrics from different holdouts do not compare; say which rows each was measured on.
        held = manifest.holdout
        print(f"    measured on: {held.source}, {held.rows} rows" if held else "    measured on: ?")
        if version == champion and state and state.pointer.reason:
            since = f"{state.pointer.updated_at:%Y-%m-%d %H:%M}"
            print(f"    champion since {since}: {state.pointer.reason}")


def _progress(message: str) -> None:
    """Progress goes to stderr, so stdout stays the command's result, and only to a terminal,
    so a script reading stderr still gets a failure as its one line."""
    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)


def _predict(args: argparse.Namespace) -> None:
    from sklambda_cli.api_client import call_api

    if not args.url:
        raise SklambdaError("no API URL: pass --url or set SKLAMBDA_API_URL")
    raw = Path(args.file).read_text() if args.file else args.data
    if raw is None:
        raise SklambdaError("give the rows with --data JSON or --file PATH")
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as error:
        raise SklambdaError(f"the rows are not valid JSON: {error}") from error
    if isinstance(payload, list):
        payload = {"instances": payload}
    url = args.url.rstrip("/")
    url = url if url.endswith("/predict") else f"{url}/predict"
    status, body = call_api(url, payload, api_key=args.api_key, sign=not args.no_auth)
    print(json.dumps(body, indent=2))
    if status >= 400:
        raise SklambdaError(f"the API answered {status}")


def _openapi(args: argparse.Namespace) -> None:
    from sklambda.api.openapi import document_for

    registry = _registry(args)
    version = args.model_version
    if version is None:
        state = registry.alias()
        if state is None:
            raise SklambdaError(f"model {registry.model_name!r} has no champion: pass --version V")
        version = state.pointer.version
    document = json.dumps(document_for(registry.manifest(version), version), indent=2)
    if args.out:
        Path(args.out).write_text(document + "\n", encoding="utf-8")
        print(f"wrote the OpenAPI document of {registry.model_name} {version} to {args.out}")
    else:
        print(document)


def _retrain(args: argparse.Namespace) -> None:
    from sklambda_cli.retraining import start_run

    if not args.state_machine:
        raise SklambdaError(
            "no state machine: pass --state-machine ARN or set SKLAMBDA_RETRAIN_STATE_MACHINE "
            "(the stack output RetrainStateMachineArn)"
        )
    start_run(args.state_machine, args.reason, wait=args.wait)


def _score(args: argparse.Namespace) -> None:
    from sklambda_cli.score import score

    if not args.bucket:
        raise SklambdaError("no bucket: pass --bucket or set SKLAMBDA_BUCKET")
    succeeded = score(
        args.bucket,
        Path(args.file),
        key=args.key,
        wait=args.wait,
        out=Path(args.out),
        timeout_seconds=args.timeout,
    )
    if not succeeded:
        raise SklambdaError("the run did not succeed; see its record above")


def _runs(args: argparse.Namespace) -> None:
    from sklambda_cli.retraining import list_runs

    if not args.bucket:
        raise SklambdaError("no bucket: pass --bucket or set SKLAMBDA_BUCKET")
    list_runs(args.bucket, args.limit, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="sklambda",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)

    def registry_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--bucket",
            default=os.environ.get("SKLAMBDA_BUCKET"),
            help="registry bucket (default: $SKLAMBDA_BUCKET)",
        )
        command.add_argument(
            "--model-name",
            default=os.environ.get("SKLAMBDA_MODEL_NAME", DEFAULT_MODEL_NAME),
            help="model name in the registry (default: $SKLAMBDA_MODEL_NAME or %(default)s)",
        )

    def signing_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--signing-key",
            default=os.environ.get("SKLAMBDA_SIGNING_KEY"),
            help="KMS key that signs manifests (default: $SKLAMBDA_SIGNING_KEY)",
        )

    train = commands.add_parser("train", help="train a model into a local bundle directory")
    source = train.add_mutually_exclusive_group()
    source.add_argument("--csv", help="CSV file with a header row")
    source.add_argument(
        "--dataset",
        default="breast_cancer",
        help="bundled scikit-learn dataset (default: %(default)s)",
    )
    train.add_argument("--target", help="target column of the CSV")
    train.add_argument(
        "--task", choices=["classification", "regression"], help="default: inferred from the target"
    )
    train.add_argument(
        "--out", default="build/model", help="bundle directory (default: %(default)s)"
    )
    train.add_argument(
        "--estimator",
        help="hist-gradient-boosting (default), random-forest, logistic-regression, "
        "linear-regression, ridge, or module:callable returning an estimator",
    )
    train.add_argument("--params", help="estimator parameters as JSON, e.g. '{\"max_depth\": 4}'")
    train.add_argument(
        "--drop", action="append", default=[], metavar="COLUMN", help="leave a column out (repeat)"
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--model-name", default=os.environ.get("SKLAMBDA_MODEL_NAME", DEFAULT_MODEL_NAME)
    )
    train.set_defaults(run=_train)

    publish = commands.add_parser(
        "publish", help="upload a trained bundle, or a model fitted elsewhere, as a new version"
    )
    publish.add_argument("bundle", nargs="?", help="directory written by `sklambda train`")
    publish.add_argument("--model", help="a fitted estimator saved with joblib.dump")
    publish.add_argument("--data", help="CSV the model was fitted on (with --model)")
    publish.add_argument("--target", help="target column of --data")
    publish.add_argument("--task", choices=["classification", "regression"])
    held = publish.add_mutually_exclusive_group()
    held.add_argument("--holdout", help="CSV to measure the model on (default: a split of --data)")
    held.add_argument("--holdout-fraction", type=float, default=0.2)
    publish.add_argument("--promote", action="store_true", help="make it the champion at once")
    publish.add_argument(
        "--force", action="store_true", help="promote despite a task, class or schema change"
    )
    registry_options(publish)
    signing_options(publish)
    publish.set_defaults(run=_publish)

    sign = commands.add_parser("sign", help="sign versions published before signing existed")
    sign.add_argument("version", nargs="?")
    sign.add_argument("--all", action="store_true", help="every unsigned version")
    registry_options(sign)
    signing_options(sign)
    sign.set_defaults(run=_sign)

    promote = commands.add_parser("promote", help="make a version the champion")
    promote.add_argument("version")
    promote.add_argument("--expect-current", help="only if this version is the champion now")
    promote.add_argument("--reason", default="promoted by hand")
    promote.add_argument(
        "--inference-runtime",
        choices=["sklearn", "onnx"],
        default=os.environ.get("SKLAMBDA_INFERENCE_RUNTIME", "sklearn"),
        help="the stack's InferenceRuntime; onnx refuses a version without a parity-passing "
        "ONNX artifact (default $SKLAMBDA_INFERENCE_RUNTIME or sklearn)",
    )
    promote.add_argument(
        "--force", action="store_true", help="promote despite a task, class or schema change"
    )
    registry_options(promote)
    promote.set_defaults(run=_promote)

    rollback = commands.add_parser("rollback", help="serve the previous champion again")
    rollback.add_argument("--reason", default="rolled back by hand")
    registry_options(rollback)
    rollback.set_defaults(run=_rollback)

    models = commands.add_parser("models", help="list versions, their metrics and the champion")
    registry_options(models)
    models.add_argument("--json", action="store_true", help="print a JSON array")
    models.set_defaults(run=_models)

    predict = commands.add_parser("predict", help="send rows to the prediction API")
    predict.add_argument(
        "--url",
        default=os.environ.get("SKLAMBDA_API_URL"),
        help="API base or /predict URL (default: $SKLAMBDA_API_URL)",
    )
    rows = predict.add_mutually_exclusive_group()
    rows.add_argument("--data", help='JSON: {"instances": [...]} or a list of rows')
    rows.add_argument("--file", help="file holding that JSON")
    predict.add_argument(
        "--api-key",
        default=os.environ.get("SKLAMBDA_API_KEY"),
        help="API key (API_KEY mode; default: $SKLAMBDA_API_KEY)",
    )
    predict.add_argument(
        "--no-auth", action="store_true", help="send unsigned (the local demo server only)"
    )
    predict.set_defaults(run=_predict)

    scoring = commands.add_parser("score", help="upload a file to incoming/ and have it scored")
    scoring.add_argument("file", help="CSV or JSON Lines file")
    scoring.add_argument("--key", help="name under incoming/ (default: the file's name)")
    scoring.add_argument(
        "--wait", action="store_true", help="wait for the run, print it and download its outputs"
    )
    scoring.add_argument("--out", default=".", help="where --wait writes outputs (default: .)")
    scoring.add_argument(
        "--timeout", type=float, default=900, help="seconds --wait waits (default: %(default)s)"
    )
    scoring.add_argument(
        "--bucket",
        default=os.environ.get("SKLAMBDA_BUCKET"),
        help="the stack's bucket (default: $SKLAMBDA_BUCKET)",
    )
    scoring.set_defaults(run=_score)

    openapi = commands.add_parser(
        "openapi", help="print the OpenAPI document the API serves for a model version"
    )
    openapi.add_argument("--out", help="write it to FILE (default: stdout)", metavar="FILE")
    openapi.add_argument(
        "--version",
        dest="model_version",
        metavar="V",
        help="the version to document (default: the champion)",
    )
    registry_options(openapi)
    openapi.set_defaults(run=_openapi)

    retrain = commands.add_parser("retrain", help="start a retraining run by hand")
    retrain.add_argument(
        "--state-machine",
        default=os.environ.get("SKLAMBDA_RETRAIN_STATE_MACHINE"),
        help="ARN of the retraining state machine (default: $SKLAMBDA_RETRAIN_STATE_MACHINE)",
    )
    retrain.add_argument("--reason", default="requested by hand", help="recorded with the run")
    retrain.add_argument(
        "--wait",
        action="store_true",
        help="print each state as the run enters it, then its outcome",
    )
    retrain.set_defaults(run=_retrain)

    runs = commands.add_parser("runs", help="list recent retraining and rollback runs")
    runs.add_argument(
        "--bucket",
        default=os.environ.get("SKLAMBDA_BUCKET"),
        help="registry bucket (default: $SKLAMBDA_BUCKET)",
    )
    runs.add_argument("--limit", type=int, default=20, help="how many (default: %(default)s)")
    runs.add_argument("--json", action="store_true", help="print a JSON array of run records")
    runs.set_defaults(run=_runs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _run(argv)
        finally:
            # Also after --help and --version, whose SystemExit leaves output in the buffer.
            sys.stdout.flush()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader is gone: say nothing, and keep the interpreter's final flush of stdout
        # from raising again on the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_CLOSED_PIPE


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except SklambdaError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except ClientError as error:
        detail = error.response.get("Error", {})
        print(
            f"error: AWS refused {error.operation_name}: {detail.get('Code')}: "
            f"{detail.get('Message')}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except BrokenPipeError:
        raise
    except (BotoCoreError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

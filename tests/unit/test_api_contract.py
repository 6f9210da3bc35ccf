"""The API's contract lives in the layer: the CLI documents it without the prediction function."""

import json
import os
import subprocess
import sys

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext

from sklambda.api.openapi import DocumentOnlyError, build_document, contract_resolver
from sklambda.schema import Feature, FeatureKind, FeatureSchema
from sklambda_local.template import PROJECT_ROOT

SCHEMA = FeatureSchema(
    features=[
        Feature(name="age", kind=FeatureKind.NUMERIC, minimum=18, maximum=90),
        Feature(name="town", kind=FeatureKind.CATEGORICAL, categories=["Lille", "Lyon"]),
    ]
)


def test_the_contract_resolver_documents_the_three_routes_with_their_errors():
    document = build_document(contract_resolver(), SCHEMA, "v7")

    assert sorted(document["paths"]) == ["/health", "/model", "/predict"]
    assert sorted(document["paths"]["/predict"]["post"]["responses"]) == [
        "200", "400", "413", "415", "422", "500", "503",
    ]  # fmt: skip
    assert document["info"]["version"] == "v7"
    request = document["components"]["schemas"]["PredictRequest"]
    assert request["properties"]["instances"]["items"]["anyOf"][0]["required"] == ["age", "town"]


def test_the_contract_resolver_serves_no_request():
    app = contract_resolver()
    event = {
        "path": "/health",
        "httpMethod": "GET",
        "headers": {},
        "requestContext": {"requestId": "r1", "stage": "prod"},
        "resource": "/health",
    }
    with pytest.raises(DocumentOnlyError):
        app.resolve(event, LambdaContext())


def test_the_cli_builds_the_document_without_the_prediction_function():
    # The installed `sklambda` package has no predict_handler: only the layer and the CLI.
    probe = (
        "import json, sys\n"
        "from sklambda.api.openapi import contract_resolver, build_document\n"
        "document = build_document(contract_resolver(), None, None)\n"
        "print(json.dumps([sorted(document['paths']), 'predict_handler' in sys.modules]))\n"
    )
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT / "layers",
        env=environment,
    )
    assert json.loads(completed.stdout) == [["/health", "/model", "/predict"], False]

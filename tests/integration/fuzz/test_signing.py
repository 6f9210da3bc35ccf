"""The fuzzed handler runs as PredictFunction's template role, with IAM enforced, not as the
test's administrator: a request the role may not serve fails here as it would in AWS."""

import pytest

from sklambda import aws
from sklambda_local.iam import enforcement_requested
from tests.integration.fuzz.wsgi import wsgi_app


@pytest.mark.skipif(not enforcement_requested(), reason="SKLAMBDA_ENFORCE_IAM=0")
def test_requests_through_the_fuzz_adapter_sign_as_the_function_role(
    invoke_predict, champion, monkeypatch
):
    from predict_handler.services.prediction import PredictionService

    callers: list[str] = []
    health = PredictionService.health

    def observed_health(self):
        callers.append(aws.client("sts").get_caller_identity()["Arn"])
        return health(self)

    monkeypatch.setattr(PredictionService, "health", observed_health)
    app = wsgi_app(lambda event, _context: invoke_predict(event), lambda *_: None)
    statuses: list[str] = []
    app(
        {"REQUEST_METHOD": "GET", "PATH_INFO": "/health", "wsgi.input": None},
        lambda status, _headers: statuses.append(status),
    )
    assert statuses == ["200 X"]
    (caller,) = callers
    assert ":assumed-role/PredictFunction-" in caller

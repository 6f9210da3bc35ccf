"""PredictFunction invoked with the events/ files against the embedded AWS."""

import json

import pytest

from tests.integration.conftest import load_event


def test_one_row_is_predicted_with_probabilities_and_the_model_version(invoke_predict, champion):
    # Given a champion in the registry
    # When one row arrives as an object keyed by feature name
    response = invoke_predict(load_event("predict_one_row"))
    # Then the prediction carries its class probabilities, model version and request id
    assert response["statusCode"] == 200, response["body"]
    body = response["json"]
    assert body["model_version"] == champion.version
    assert body["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert body["predictions"] == [0]
    (probabilities,) = body["probabilities"]
    assert set(probabilities) == {"0", "1"}
    assert probabilities["0"] > 0.5
    assert sum(probabilities.values()) == pytest.approx(1.0)


def test_array_rows_in_schema_order_match_the_estimator(invoke_predict, champion, trained):
    event = load_event("predict_array_rows")
    response = invoke_predict(event)
    assert response["statusCode"] == 200, response["body"]
    rows = json.loads(event["body"])["instances"]
    assert response["json"]["predictions"] == trained.estimator.predict(rows).tolist()


@pytest.mark.parametrize(
    ("event_name", "status", "fragments"),
    [
        ("predict_malformed_json", 400, ["not valid JSON"]),
        ("predict_unknown_feature", 422, ["row 1, feature 'favourite colour': unknown feature"]),
        ("predict_missing_feature", 422, ["row 0, feature 'mean texture': missing feature"]),
        ("predict_wrong_type", 422, ["row 0, feature 'mean radius': expected a number, got str"]),
        (
            "predict_nan_and_infinity",
            422,
            [
                "row 0, feature 'worst area': NaN is not allowed",
                "row 1, feature 'mean area': infinity",
            ],
        ),
        ("predict_too_many_rows", 413, ["1001 rows sent; at most 1000"]),
        ("predict_no_rows", 422, ["instances"]),
    ],
)
def test_bad_requests_get_json_errors_that_say_what_to_fix(
    invoke_predict, champion, event_name, status, fragments
):
    response = invoke_predict(load_event(event_name))
    assert response["statusCode"] == status, response["body"]
    assert response["multiValueHeaders"]["Content-Type"] == ["application/json"]
    message = response["json"]["error"]["message"]
    for fragment in fragments:
        assert fragment in message
    assert "Traceback" not in response["body"]


def test_schema_errors_list_each_problem_with_row_and_feature(invoke_predict, champion):
    response = invoke_predict(load_event("predict_nan_and_infinity"))
    problems = response["json"]["error"]["problems"]
    assert [(p["row"], p["feature"]) for p in problems] == [(0, "worst area"), (1, "mean area")]


def test_no_champion_is_a_503(invoke_predict, registry):
    response = invoke_predict(load_event("predict_one_row"))
    assert response["statusCode"] == 503
    assert "has no champion yet" in response["json"]["error"]["message"]


def test_unreachable_registry_is_a_503(invoke_predict, monkeypatch):
    # Given a bucket that does not exist (the registry cannot be read)
    response = invoke_predict(load_event("predict_one_row"))
    assert response["statusCode"] == 503
    assert "could not be read" in response["json"]["error"]["message"]


def test_get_model_summarises_the_champion(invoke_predict, champion):
    response = invoke_predict(load_event("get_model"))
    assert response["statusCode"] == 200
    assert response["json"]["version"] == champion.version
    assert response["json"]["sha256"] == champion.artifact.sha256
    assert len(response["json"]["features"]) == 30


def test_health_reports_liveness_without_loading_a_model(invoke_predict, registry):
    response = invoke_predict(load_event("get_health"))
    assert response["statusCode"] == 200
    assert response["json"] == {
        "status": "ok",
        "model_loaded": False,
        "model_version": None,
        "champion_version": None,
        "champion_error": None,
    }


def test_unknown_route_is_a_json_404(invoke_predict):
    event = load_event("get_health")
    event["path"] = event["resource"] = "/nope"
    response = invoke_predict(event)
    assert response["statusCode"] == 404
    assert "no route for GET /nope" in response["json"]["error"]["message"]


def test_metrics_carry_the_model_version(invoke_predict, champion, capsys):
    from aws_lambda_powertools.metrics.provider.cold_start import reset_cold_start_flag

    # Given a fresh execution environment
    reset_cold_start_flag()
    # When it serves its first request
    invoke_predict(load_event("predict_one_row"))
    # Then cold start, model load, count and latency are published as EMF
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    names = {
        metric["Name"]: blob
        for blob in emitted
        for directive in blob["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]
    }
    assert {"PredictionCount", "PredictLatency", "ModelLoadTime", "ColdStart"} <= set(names)
    assert names["PredictionCount"]["ModelVersion"] == champion.version
    assert names["PredictionCount"]["PredictionCount"] == [1.0]
    assert names["ModelLoadTime"]["ModelVersion"] == champion.version

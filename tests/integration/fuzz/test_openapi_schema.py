"""schemathesis on GET /openapi.json: requests generated from the document, valid and invalid,
reach the real handler through a WSGI adapter. Every answer must be documented, in the
documented shape (checked by schemathesis and by assert_documented_answer), and none a 5xx."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from tests.integration.fuzz.conftest import assert_documented_answer
from tests.integration.fuzz.wsgi import wsgi_app

EXAMPLES_PER_OPERATION_AND_MODE = 50


def test_every_generated_request_gets_a_documented_answer(invoke_predict, champion, tally):
    def observe(event, result):
        tally.record("schemathesis", event, result)
        assert_documented_answer(event, result)

    app = wsgi_app(lambda event, _context: invoke_predict(event), observe)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.label for operation in operations} == {
        "POST /predict",
        "GET /model",
        "GET /health",
    }
    for operation in operations:
        # Negative data needs something to break: only POST /predict has a body.
        modes = [GenerationMode.POSITIVE]
        if operation.method.upper() == "POST":
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @settings(
                max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                case.call_and_validate()

            call()

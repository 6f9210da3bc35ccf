"""hypothesis on raw requests: bodies (text, bytes, JSON of any shape, rows with one value
replaced), headers, media types, methods and paths. No answer is a 5xx, every error has the
documented shape."""

import base64
import json
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import load_event
from tests.integration.fuzz.conftest import assert_documented_answer

MEDIA_TYPES = [
    "application/json",
    "APPLICATION/JSON",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/vnd.api+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=--x",
    "application/xml",
    "",
    ";;;",
    "application/json; charset",
]
PATHS = ["/predict", "/predict", "/predict", "/model", "/health", "/openapi.json", "/", "/predict/"]
METHODS = ["POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
SETTINGS = settings(
    max_examples=500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**420)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _row() -> dict[str, Any]:
    return json.loads(load_event("predict_one_row")["body"])["instances"][0]


ROW = _row()
FEATURES = sorted(ROW)


@st.composite
def mutated_rows(draw: st.DrawFn) -> str:
    """A valid request with one thing changed: a value, a key, the row shape, the wrapper."""
    row = dict(ROW)
    kind = draw(st.sampled_from(["value", "drop", "extra", "array", "wrapper", "rows"]))
    if kind == "value":
        row[draw(st.sampled_from(FEATURES))] = draw(json_values)
        body: Any = {"instances": [row]}
    elif kind == "drop":
        row.pop(draw(st.sampled_from(FEATURES)))
        body = {"instances": [row]}
    elif kind == "extra":
        row[draw(st.text(max_size=30))] = draw(json_values)
        body = {"instances": [row]}
    elif kind == "array":
        values = [row[name] for name in FEATURES]
        body = {"instances": [draw(st.lists(json_scalars, max_size=3)) + values[3:]]}
    elif kind == "wrapper":
        body = draw(json_values)
    else:
        body = {"instances": [row] * draw(st.integers(min_value=0, max_value=1_100))}
    text = json.dumps(body)
    if draw(st.booleans()):
        text = text.replace("1", "1" * draw(st.integers(min_value=1, max_value=5_000)), 1)
    return text


bodies = st.one_of(
    st.none(),
    st.text(max_size=200),
    st.text(alphabet='[]{}":,0123456789.-eE ', max_size=400),
    st.integers(min_value=1, max_value=20_000).map(lambda n: "[" * n + "]" * n),
    json_values.map(json.dumps),
    mutated_rows(),
)


@st.composite
def raw_events(draw: st.DrawFn) -> dict[str, Any]:
    event = load_event("predict_one_row")
    # Most cases aim at POST /predict, where bodies are read; the rest try every route.
    if draw(st.integers(min_value=0, max_value=9)) < 7:
        method, path = "POST", "/predict"
    else:
        method = draw(st.sampled_from(METHODS))
        path = draw(
            st.sampled_from(PATHS) | st.text(string.printable, max_size=20).map(lambda p: "/" + p)
        )
    event["httpMethod"] = event["requestContext"]["httpMethod"] = method
    event["path"] = event["resource"] = path
    headers = {}
    content_type = draw(
        st.one_of(
            st.just("application/json"),
            st.sampled_from(MEDIA_TYPES),
            st.text(max_size=30),
            st.none(),
        )
    )
    if content_type is not None:
        name = draw(st.sampled_from(["Content-Type", "content-type", "CONTENT-TYPE"]))
        headers[name] = content_type
    headers.update(
        draw(
            st.dictionaries(
                st.text(string.ascii_letters + "-", min_size=1, max_size=12),
                st.text(max_size=20),
                max_size=3,
            )
        )
    )
    event["headers"] = headers or draw(st.sampled_from([None, {}]))
    event["multiValueHeaders"] = (
        {key: [value] for key, value in headers.items()} if headers else event["headers"]
    )
    if draw(st.booleans()) and draw(st.booleans()):
        raw = draw(st.binary(max_size=200))
        event["body"] = base64.b64encode(raw).decode()
        event["isBase64Encoded"] = True
    else:
        event["body"] = draw(bodies)
        event["isBase64Encoded"] = False
    return event


@SETTINGS
@given(event=raw_events())
def test_raw_requests_never_get_a_5xx_and_errors_have_the_documented_shape(
    invoke_predict, champion, tally, event
):
    result = invoke_predict(event)
    tally.record("hypothesis", event, result)
    assert_documented_answer(event, result)

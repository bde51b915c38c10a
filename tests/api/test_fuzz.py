"""The API fuzzed against its own OpenAPI document (schemathesis, in process on the real WSGI app over the
seeded demo): every operation, no 5xx, every answer's status, content type, headers and body as the
document says. The document itself must validate as OpenAPI 3.1 first."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from dash_app.api.spec import build_spec

EXAMPLES = 9    # per operation: 15 operations x 9 = the 11 x 12 examples of before (about 18 s of CPU)


def test_the_document_is_valid_openapi_3_1(api_app):
    with api_app.app_context():
        spec = build_spec()
    validate(spec)
    assert spec["openapi"] == "3.1.0"


def _fuzz(operation) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        # The in-process WSGI client does not undo compression (flask-compress); a real client does.
        response = case.call_and_validate(headers={"Accept-Encoding": "identity"})
        assert response.status_code < 500, (case.path, case.query)

    run()


def test_api_conforms_to_its_document(api_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    with api_app.app_context():
        documented = set(build_spec()["paths"])
    # schemathesis leaves out the document's own address (test_the_document_is_served checks that one).
    assert {op.path for op in operations} == documented - {"/api/v1/openapi.json"} and len(documented) == 15
    for operation in operations:
        _fuzz(operation)

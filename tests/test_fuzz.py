"""schemathesis against /openapi.json with an admin token: every generated case gets an
answer the OpenAPI document describes (status, content type, body schema), and none a 5xx.

`make test` runs a few examples per operation; `make fuzz` runs many (FUZZ_EXAMPLES).
"""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlmodel import Session

from app.services.users import create_api_token
from tests.builders import GENERIC, load_sample

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))


def test_no_generated_request_gets_a_server_error(app, session: Session, make_user) -> None:  # type: ignore[no-untyped-def]
    load_sample(session, GENERIC, name="S")
    session.commit()
    token = create_api_token(session, email=make_user("admin"))
    session.commit()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal cases
            cases += 1
            try:
                response = case.call_and_validate(
                    headers={"Authorization": f"Bearer {token}"},
                    # A valid shape can still name a department or theme that does not exist:
                    # 422 then is right, and no schema can say which names exist.
                    excluded_checks=[positive_data_acceptance],
                )
            except Exception as exc:  # schemathesis' checks failed: say which and why
                failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:600]}")
                return
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        call()
    print(f"fuzzed {cases} cases")
    assert failures == []

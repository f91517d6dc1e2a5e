"""Property-based tests of the whole API against its own OpenAPI document
(schemathesis): for every operation, generated valid and invalid requests
(path, query, body) as a signed-in token -- no response is a server error, and
every response has a documented status, the documented content type and a
body matching its schema.

Sized for CI: LANMU_API_FUZZ_EXAMPLES examples per operation (default 15,
about a minute for all of them); every generated id is swapped, most of the
time, for one of the demo's real objects, so requests get past "not found"
into the code that does the work."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from intranet.extensions import db
from intranet.items.models import Attachment, Item
from intranet.review.models import ReviewStep
from plugins.mailbox.models import Message

from .conftest import column, make_token, user

EXAMPLES = int(os.environ.get("LANMU_API_FUZZ_EXAMPLES", "15"))


@pytest.fixture
def api_schema(demo):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo)


@pytest.fixture
def world(demo, api_as):
    """Real objects for the ids, and tokens: the officer drafts and handles
    messages, the system admin reads the rest (health, every item)."""
    from .test_flow import push_document, submit
    oa, doc = push_document(api_as)
    submit(oa, doc["id"])
    tokens = {"officer": make_token("officer"), "admin": make_token("admin"), "head": make_token("head")}
    ids = {
        "item_id": [doc["id"], *db.session.execute(db.select(Item.id).limit(5)).scalars()],
        "attachment_id": list(db.session.execute(db.select(Attachment.id).limit(5)).scalars()),
        "step_id": list(db.session.execute(db.select(ReviewStep.id).limit(5)).scalars()),
        "message_id": list(db.session.execute(db.select(Message.id).limit(5)).scalars()),
        "site_id": [column("documents").site_id],
        "column_id": [column("documents").id, column("consult").id],
    }
    assert all(ids.values()), ids
    return {"tokens": tokens, "ids": ids, "officer": user("officer")}


# What the issue asks: no server error, and every response is documented (status, content type,
# headers) and matches its schema; and the same request without the token is refused (ignored_auth). (schemathesis's negative_data_rejection is left out: it counts a
# request whose only "invalid" part is a missing Authorization header -- which the test always sends
# -- as invalid data that was accepted.)
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance, checks.ignored_auth]
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])


def _who(operation):
    path = operation.path
    if path.startswith(("/api/v1/health", "/api/v1/published", "/api/v1/sites")):
        return "admin"
    if path.startswith("/api/v1/review"):
        return "head"
    return "officer"


def test_api_conforms_to_its_openapi_document(demo, world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = demo.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    # every documented operation is exercised (schemathesis leaves out the document's own address)
    assert {f"{o.method.upper()} {o.path}" for o in operations} == {
        f"{m.upper()} {p}" for p, methods in documented.items() for m in methods if p != "/api/v1/openapi.json"}
    for operation in operations:
        headers = {"Authorization": f"Bearer {world['tokens'][_who(operation)]}"}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                for name, value in list((case.path_parameters or {}).items()):
                    known = world["ids"].get(name)
                    if known and isinstance(value, int) and value % 4 != 0:
                        case.path_parameters[name] = known[value % len(known)]
                try:
                    case.call_and_validate(headers=headers, checks=CHECKS)
                finally:
                    db.session.rollback()  # the test's session holds no transaction between requests

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
                assert mode == GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001  (collect every failure, then report)
                failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {exc}"[:3000])
    assert not failures, "\n\n".join(failures)

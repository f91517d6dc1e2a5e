"""Sites and columns (read): where an OA system may push, and what a column's
type asks for."""
from .conftest import body, column


def _all(api, path, **query):
    rows, cursor = [], None
    for _ in range(100):
        page = body(api.get(path, query_string=dict(query, **({"cursor": cursor} if cursor else {}))))
        rows += page["data"]
        cursor = page["next"]
        if not cursor:
            return rows
    raise AssertionError("the cursor does not advance")


def test_sites_and_columns_with_the_types_fields(demo, api_as):
    api = api_as("officer", scope="read")
    sites = _all(api, "/sites")
    assert [s["code"] for s in sites] == ["youth"]
    assert body(api.get(f"/sites/{sites[0]['id']}"))["name"] == sites[0]["name"]
    columns = _all(api, "/columns", limit=5, site_id=sites[0]["id"])
    assert len(columns) == len({c["id"] for c in columns}) > 10
    docs = body(api.get(f"/columns/{column('documents').id}"))
    assert docs["type"] == "document" and docs["can_draft"] is True
    assert {f["name"]: f["kind"] for f in docs["extra_fields"]} == {
        "doc_number": "text", "issuing_unit": "text", "issue_date": "date", "red_header_title": "text"}
    assert all(f["required"] for f in docs["extra_fields"])
    assert api.get("/columns/999999").status_code == 404


def test_draftable_columns_depend_on_the_person(demo, api_as):
    city = {c["slug"] for c in _all(api_as("officer", scope="read"), "/columns", draftable="true", limit=3)}
    community = {c["slug"] for c in _all(api_as("hubin_officer", scope="read"), "/columns", draftable="true", limit=3)}
    assert "documents" in city and "documents" not in community
    assert "consult" not in city  # a mailbox takes no items
    assert "activities" in community
    assert "consult" not in {c["slug"] for c in _all(api_as("head", scope="read"), "/columns", draftable="true")}
    everything = _all(api_as("hubin_officer", scope="read"), "/columns", limit=100)
    assert {c["slug"] for c in everything if c["can_draft"]} == community

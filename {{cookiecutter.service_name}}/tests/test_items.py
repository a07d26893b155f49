"""Item CRUD (contract sections 2 and 3)."""

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import insert

from {{ cookiecutter.package_name }}.core.database import run_with_connection
from {{ cookiecutter.package_name }}.models import Item
from {{ cookiecutter.package_name }}.settings import Settings

from .helpers import ITEMS, TIMESTAMP, assert_problem, create


def test_create_returns_the_item_and_its_location(client: httpx.Client) -> None:
    response = client.post(
        ITEMS, json={"name": "widget", "description": "blue", "price": 9.5, "quantity": 3}
    )
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    item = response.json()
    assert response.headers["location"] == f"{ITEMS}/{item['id']}"
    assert isinstance(item["id"], int)
    assert {key: item[key] for key in ("name", "description", "price", "quantity")} == {
        "name": "widget",
        "description": "blue",
        "price": 9.5,
        "quantity": 3,
    }
    assert TIMESTAMP.match(item["created_at"])
    assert item["updated_at"] == item["created_at"]


def test_create_applies_defaults(client: httpx.Client) -> None:
    item = create(client, name="plain", price=0)
    assert item["description"] is None
    assert item["quantity"] == 0
    assert item["price"] == 0


def test_create_accepts_the_bounds(client: httpx.Client) -> None:
    item = create(
        client, name="x" * 100, description="d" * 1000, price=1_000_000_000, quantity=2_147_483_647
    )
    assert item["quantity"] == 2_147_483_647


def test_get_returns_what_was_created(client: httpx.Client) -> None:
    created = create(client)
    response = client.get(f"{ITEMS}/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_get_missing_item_is_404(client: httpx.Client) -> None:
    body = assert_problem(client.get(f"{ITEMS}/7"), 404, "Not Found", f"{ITEMS}/7")
    assert "7" in body["detail"]


@pytest.mark.parametrize("item_id", ["2147483648", "99999999999999999999999", "9" * 5000])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_ids_past_the_column_range_are_404(client: httpx.Client, method: str, item_id: str) -> None:
    path = f"{ITEMS}/{item_id}"
    body = {"quantity": 1} if method == "PATCH" else None
    assert_problem(client.request(method, path, json=body), 404, "Not Found", path)


def test_list_pages_in_id_order(client: httpx.Client) -> None:
    ids = [create(client, name=f"item-{n}")["id"] for n in range(5)]
    page = client.get(ITEMS, params={"limit": 2, "offset": 1}).json()
    assert [item["id"] for item in page["items"]] == ids[1:3]
    assert (page["total"], page["limit"], page["offset"], page["after"]) == (5, 2, 1, 0)
    assert (page["total_exact"], page["next_after"]) == (True, ids[2])


def test_list_defaults(client: httpx.Client) -> None:
    create(client)
    page = client.get(ITEMS).json()
    assert {key: value for key, value in page.items() if key != "items"} == {
        "total": 1,
        "total_exact": True,
        "limit": 20,
        "offset": 0,
        "after": 0,
        "next_after": None,
    }
    assert len(page["items"]) == 1


def test_list_past_the_end_is_empty(client: httpx.Client) -> None:
    item = create(client)
    for params in ({"offset": 10_000}, {"after": item["id"]}, {"after": 10**30}):
        page = client.get(ITEMS, params=params).json()
        assert (page["items"], page["total"], page["next_after"]) == ([], 1, None), params


def pages(client: httpx.Client, limit: int) -> list[list[int]]:
    """Every page of ids, following ``next_after`` from the first page."""
    found: list[list[int]] = []
    params = {"limit": limit}
    for _ in range(50):  # bounded: far more pages than any test makes
        page = client.get(ITEMS, params=params).json()
        found.append([item["id"] for item in page["items"]])
        if page["next_after"] is None:
            return found
        assert page["next_after"] == found[-1][-1]
        params = {"limit": limit, "after": page["next_after"]}
    raise AssertionError("next_after never became null")


def test_cursor_pages_through_every_item_once(client: httpx.Client) -> None:
    ids = [create(client, name=f"item-{n}")["id"] for n in range(5)]
    assert pages(client, 2) == [ids[0:2], ids[2:4], ids[4:5]]
    assert pages(client, 5) == [ids]  # a full last page: no empty page after it


def test_cursor_and_offset_combine(client: httpx.Client) -> None:
    ids = [create(client, name=f"item-{n}")["id"] for n in range(5)]
    page = client.get(ITEMS, params={"after": ids[0], "offset": 1, "limit": 2}).json()
    assert [item["id"] for item in page["items"]] == ids[2:4]
    assert (page["after"], page["offset"], page["next_after"]) == (ids[0], 1, ids[3])


def test_cursor_is_stable_under_writes(client: httpx.Client) -> None:
    """Creating and deleting items between pages never skips or repeats an item."""
    ids = [create(client, name=f"item-{n}")["id"] for n in range(6)]
    first = client.get(ITEMS, params={"limit": 2}).json()
    assert client.delete(f"{ITEMS}/{ids[0]}").status_code == 204
    assert client.delete(f"{ITEMS}/{ids[3]}").status_code == 204
    newer = create(client, name="created meanwhile")["id"]
    rest = client.get(ITEMS, params={"limit": 10, "after": first["next_after"]}).json()
    seen = [item["id"] for item in first["items"] + rest["items"]]
    assert seen == [*ids[0:3], *ids[4:6], newer]
    # By offset, the same second page would skip ids[2], moved into the first two.
    shifted = client.get(ITEMS, params={"limit": 2, "offset": 2}).json()
    assert ids[2] not in [item["id"] for item in shifted["items"]]


def test_total_is_counted_up_to_the_cap(client: httpx.Client, settings: Settings) -> None:
    """Past 10,000 items ``total`` stays 10000 and ``total_exact`` is false."""
    now = datetime.now(UTC)
    rows = [
        {"name": f"bulk-{n}", "price": 1, "quantity": 0, "created_at": now, "updated_at": now}
        for n in range(10_001)
    ]
    run_with_connection(settings, lambda connection: connection.execute(insert(Item), rows))
    page = client.get(ITEMS, params={"limit": 1}).json()
    assert (page["total"], page["total_exact"]) == (10_000, False)
    assert page["next_after"] == page["items"][0]["id"]
    deep = client.get(ITEMS, params={"limit": 2, "offset": 10_000}).json()
    assert [item["name"] for item in deep["items"]] == ["bulk-10000"]
    assert deep["next_after"] is None
    exact = client.get(ITEMS, params={"after": page["next_after"]}).json()
    assert (exact["total"], exact["total_exact"]) == (10_000, False)  # counts all, not the rest


def test_patch_changes_only_the_given_fields(client: httpx.Client) -> None:
    created = create(client, description="old", quantity=1)
    response = client.patch(f"{ITEMS}/{created['id']}", json={"quantity": 2, "description": None})
    assert response.status_code == 200
    item = response.json()
    assert item["quantity"] == 2
    assert item["description"] is None
    assert item["name"] == created["name"]
    assert item["created_at"] == created["created_at"]
    assert item["updated_at"] > created["updated_at"]
    assert client.get(f"{ITEMS}/{created['id']}").json() == item


def test_empty_patch_changes_nothing(client: httpx.Client) -> None:
    created = create(client)
    response = client.patch(f"{ITEMS}/{created['id']}", json={})
    assert response.status_code == 200
    assert response.json() == created


def test_patch_missing_item_is_404(client: httpx.Client) -> None:
    assert_problem(client.patch(f"{ITEMS}/5", json={}), 404, "Not Found", f"{ITEMS}/5")


def test_delete(client: httpx.Client) -> None:
    created = create(client)
    response = client.delete(f"{ITEMS}/{created['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert client.get(f"{ITEMS}/{created['id']}").status_code == 404
    assert_problem(
        client.delete(f"{ITEMS}/{created['id']}"), 404, "Not Found", f"{ITEMS}/{created['id']}"
    )


def test_name_taken_on_create_is_409_and_writes_nothing(client: httpx.Client) -> None:
    create(client, name="unique")
    response = client.post(ITEMS, json={"name": "unique", "price": 1})
    assert_problem(response, 409, "Conflict", ITEMS)
    assert client.get(ITEMS).json()["total"] == 1


def test_name_taken_on_rename_is_409_and_writes_nothing(client: httpx.Client) -> None:
    create(client, name="first")
    second = create(client, name="second")
    path = f"{ITEMS}/{second['id']}"
    assert_problem(client.patch(path, json={"name": "first", "quantity": 9}), 409, "Conflict", path)
    assert client.get(path).json() == second


def test_rename_to_own_name_is_fine(client: httpx.Client) -> None:
    item = create(client, name="same")
    assert client.patch(f"{ITEMS}/{item['id']}", json={"name": "same"}).status_code == 200


def test_delete_missing_item_is_404_and_deletes_nothing(client: httpx.Client) -> None:
    kept = create(client)
    missing = f"{ITEMS}/{kept['id'] + 1}"
    assert_problem(client.delete(missing), 404, "Not Found", missing)
    assert client.get(f"{ITEMS}/{kept['id']}").json() == kept


def test_patch_with_the_same_values_is_fine(client: httpx.Client) -> None:
    item = create(client, quantity=4)
    response = client.patch(f"{ITEMS}/{item['id']}", json={"name": item["name"], "quantity": 4})
    assert response.status_code == 200
    assert response.json()["quantity"] == 4


def test_ids_of_deleted_items_are_never_reused(client: httpx.Client) -> None:
    """A retried DELETE of an old id must not remove a newer item."""
    create(client, name="first")
    newest = create(client, name="newest")["id"]
    assert client.delete(f"{ITEMS}/{newest}").status_code == 204
    assert create(client, name="next")["id"] > newest

"""Item CRUD (contract sections 2 and 3)."""

import httpx
import pytest

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
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)


def test_list_defaults(client: httpx.Client) -> None:
    create(client)
    page = client.get(ITEMS).json()
    assert (page["total"], page["limit"], page["offset"]) == (1, 20, 0)
    assert len(page["items"]) == 1


def test_list_past_the_end_is_empty(client: httpx.Client) -> None:
    create(client)
    page = client.get(ITEMS, params={"offset": 10**30}).json()
    assert page["items"] == []
    assert page["total"] == 1


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

"""Path, query, header and cookie parameters documented as the text they are sent as.

A parameter is text: it can be left out, never be ``null``, so an optional one is
documented as its type alone, however its declaration says it is optional, and without a
default that means "none" (``null``, an empty list). A header's name is written in lower
case (header names are case-insensitive; a 422 locates one so). No ``style`` ``form``: it
is a query's default, and no other location's. Parameters are listed path, query, header,
cookie, each in the order declared.
"""

from typing import Any

NULL = {"type": "null"}
LOCATIONS = ("path", "query", "header", "cookie")
# Keys that describe the parameter's value as a whole, kept beside the one choice left.
_OUTER_KEYS = {"title", "description", "default", "examples"}


def value_as_sent(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without its ``null`` choice and a default of ``null`` or ``[]``."""
    if schema.get("default", 0) in (None, []):
        schema = {key: value for key, value in schema.items() if key != "default"}
    choices = schema.get("anyOf")
    if not isinstance(choices, list) or NULL not in choices:
        return schema
    kept = [choice for choice in choices if choice != NULL]
    outer = {key: value for key, value in schema.items() if key != "anyOf"}
    if len(kept) == 1 and not (kept[0].keys() & outer.keys() - _OUTER_KEYS):
        return {**kept[0], **outer}
    return {"anyOf": kept, **outer}


def parameter_as_sent(parameter: dict[str, Any]) -> dict[str, Any]:
    parameter = {**parameter, "schema": value_as_sent(parameter.get("schema", {}))}
    if parameter["in"] == "header":
        parameter["name"] = parameter["name"].lower()
    if parameter.get("style") == "form":
        del parameter["style"]
        if parameter.get("explode") is True:
            del parameter["explode"]
    return parameter


def document_parameters(document: dict[str, Any]) -> None:
    """Rewrite every operation's parameters of an OpenAPI document, in place."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if "parameters" in operation:
                parameters = [parameter_as_sent(item) for item in operation["parameters"]]
                parameters.sort(key=lambda item: LOCATIONS.index(item["in"]))
                operation["parameters"] = parameters

"""The service's plumbing: errors, middleware, strict JSON, OpenAPI, logs, database.

Nothing here names a resource; a new resource never needs a change here.
"""

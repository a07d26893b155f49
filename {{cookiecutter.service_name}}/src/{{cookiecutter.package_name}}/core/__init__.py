"""The service's plumbing: errors, middleware, strict JSON, OpenAPI, logs, database.

Nothing here names a resource: a new resource never needs a change in this package.
"""

# The service's own import package (this is its ``core`` subpackage).
SERVICE_PACKAGE = __name__.rpartition(".")[0]

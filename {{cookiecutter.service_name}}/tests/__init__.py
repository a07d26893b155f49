"""The service's tests; conftest.py builds the app and its client."""

"""The service's tests: the same files for every stack; see conftest.py for the client."""

"""The benchmark harness behind ``bench/run.py`` (``make bench``), one job per module."""

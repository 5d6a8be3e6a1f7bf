"""Tests of the plan stage (a package: tests/facts has a test_sizing.py too)."""

"""Benchmarks: run by hand (`make bench` or `python -m bench.<name>`), never part of the test suite.

Each reports medians of several runs and ratios against a baseline measured in the same run, so
figures from different machines can be compared by their ratios.
"""

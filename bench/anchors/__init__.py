"""Anchors: the simplest honest way to do what a product path does, timed beside it.

Each anchor does the same work as the product with nothing around it (no validation, no zones, no
privacy rules): the ratio product / anchor says what the product's extra work and its structure cost.
"""

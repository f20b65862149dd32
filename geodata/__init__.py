"""Geometry and reference layers for Arpenteur: no Flask, no database.

Modules: ``crs`` (SRIDs, metric projections), ``convert`` (GeoJSON, Shapely, WKB, EWKT),
``shapes`` (coordinate checks, repair, metric buffers, distances), ``perimeters`` (reading
official QPV and custom zone files) and ``assign`` (which zone a position falls in).
Import the module you need; this package imports nothing heavy on its own.
"""

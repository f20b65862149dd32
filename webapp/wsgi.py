"""WSGI entry point for gunicorn: `webapp.wsgi:app`."""

import gc

# What is loaded now (modules, the app, its mappers, templates…) lives as long as the process. The
# cyclic garbage collector is off while it loads: its passes over a heap that only grows took ~10 %
# of each worker's start (2.61 → 2.34 s of CPU, medians of 8), and what little they freed the
# collection below frees.
gc.disable()

from webapp import create_app  # noqa: E402  (after the collector is off)

app = create_app()

# The map builders (folium and its templates, ~0.5 s) are loaded by the first page that draws a map,
# so that commands never pay for them; a server loads them now, before its first request, and keeps
# them with the rest below.
import geodata.maps  # noqa: E402, F401

# Then it is kept out of the collector's full passes, which otherwise walk these ~250,000 objects
# again and again, ~0.1 s each time, inside whichever request set one off (a moderation list of a
# few hundred observations set off one or two). Collected first, so no garbage is kept with it.
gc.collect()
gc.freeze()
gc.enable()

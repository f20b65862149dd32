"""WSGI entry point for gunicorn: `webapp.wsgi:app`."""

import gc

from webapp import create_app

app = create_app()

# What is loaded now (modules, the app, its mappers, templates…) lives as long as the process: kept
# out of the cyclic garbage collector's full passes, which otherwise walk these ~250,000 objects
# again and again, ~0.1 s each time, inside whichever request set one off (a moderation list of a
# few hundred observations set off one or two). Collected first, so no garbage is kept with it.
gc.collect()
gc.freeze()

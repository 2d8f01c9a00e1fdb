"""Settings of the site as bench/web.py serves it: production-like (DEBUG off), plus one trivial view to compare."""
from recsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.web_urls"

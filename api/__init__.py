"""The REST API under /api/: movies, your ratings and picks, and staff operations (see urls.py)."""

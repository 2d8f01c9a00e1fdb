"""Views of the API, one module per concern: auth, movies, me, staff. Thin: the work is in the services."""

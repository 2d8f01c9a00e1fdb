"""Serializers of the API, one module per concern: movies, me (ratings, picks), staff."""

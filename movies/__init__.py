"""The catalog: movies, genres, users' ratings and tags, Wikipedia links, and their importers."""

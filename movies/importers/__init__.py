"""Importers that bring public data dumps (MovieLens, later Wikipedia) into the catalog."""

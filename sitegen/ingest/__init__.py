"""Ingest: read (find + decode) -> split (articles) -> clean -> meta."""

"""The HTTP API (FastAPI) and the ``sanctionnet`` command line (typer)."""

"""Pages and briefings; for now the static check page served at ``/``."""
from importlib.resources import files

__all__ = ["STATIC_DIR"]

STATIC_DIR = files(__name__) / "static"

"""The explorer page, case briefings and their rendering.

The explorer (``static/``) and briefings draw with vis-network; its files are the
ones pyvis ships (``VIS_DIR``), served by the API and inlined into briefings, so
nothing is fetched from a CDN.
"""
from importlib.resources import files

__all__ = ["STATIC_DIR", "VIS_DIR"]

STATIC_DIR = files(__name__) / "static"
VIS_DIR = files("pyvis") / "lib" / "vis-9.1.2"

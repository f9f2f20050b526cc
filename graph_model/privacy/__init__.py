"""What each reader may see: masking of checks, graphs and names (``masking``) and
the one place that resolves a key, checks a subject and shows a name or a graph for a
reader (``reader``), which the API's routers, the briefings and the CLI call. Imports
check, views, leads, identity and the catalogue.
"""

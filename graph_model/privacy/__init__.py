"""What each reader may see: masking of checks, graphs and names (``masking``) and
the one place that resolves a key and checks a subject for a reader (``reader``),
which the API's routers call. Imports check, views, identity and the
catalogue.
"""

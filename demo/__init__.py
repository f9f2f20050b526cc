"""Generated demo data: a province-scale graph of valid identifiers (``generate``),
planted reappearance rings (``rings``) and tenders (``tenders``), written as an
interchange bundle. Imports identity only: the generators know nothing of a store.
"""

"""Is this subject restricted, for this action, in this region, on this date, and why:
the check and its batches (``rules``), its answer (``answer``), the credit grade
(``grading``), consortia (``consortium``) and feedback on hits (``feedback``).
Imports lifecycle (entries' histories), the catalogue, identity and the store.
"""

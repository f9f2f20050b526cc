"""Network analysis over the stored graph: ownership and control chains
(``ownership``), candidate actual controllers (``controllers``) and leads of
reappearance and collusion for a human to review (``leads``). Imports the domain.
"""

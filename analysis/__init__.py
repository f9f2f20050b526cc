"""Network analysis over extracted subgraphs (control chains, owners, leads).

Empty in this release: the analyses arrive with the control-and-leads work.
"""

"""What the domain shows before masking: a subject's ties on a date and search
(``subgraph``), an entry with its acts, periods and who it binds (``entries``).
Imports check, lifecycle, catalogue, identity and the store.
"""

"""Who a key names: USCC, organisation code, registration and resident ID number
checks (``identifiers``, ``forms``), the keyed hash of ID numbers (``pii``), the one
masker of ID numbers in text (``free_text``), name keys (``names``), GB/T 2260
regions and their history, and the look-up of a subject by any key a caller holds
(``lookup``). Imports vocabulary, errors, settings and the store.
"""

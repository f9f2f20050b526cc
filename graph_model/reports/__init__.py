"""Documents assembled for a reader: the case briefing now (``briefing``, its timeline
and sources in ``timeline``), credit reports later. Everything such a document says is
gathered here (store reads, checks, the reasons' paths) and is resolved and masked
through the one reader policy (``privacy.reader``); ``viz`` only renders it. Imports
privacy, views, check, lifecycle, leads, the catalogue, identity and the store.
"""

"""Every way data gets into sanctionnet: the interchange bundle and the formats
converted to it (court records, registries, listed companies, FtM, BODS, tenders,
divisions). Imports the domain; nothing imports a loader but ``exports``, ``api``
and ``bench``.
"""

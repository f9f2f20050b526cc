"""Data out of a store: FtM entities (``ftm``) and BODS statements (``bods``), masked
for the reader they are written for, and files for Neo4j's offline importer
(``neo4j_admin``, ``neo4j_admin_files``, ``neo4j_admin_bundle``,
``neo4j_admin_finish``). Imports the domain and ``loaders`` (the formats' shared
mappings; a bundle is validated as a load validates it).
"""

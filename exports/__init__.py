"""Data out of a store or a bundle: files for Neo4j's offline importer
(``neo4j_admin``, ``neo4j_admin_files``, ``neo4j_admin_bundle``,
``neo4j_admin_finish``). Imports the domain and ``loaders`` (a bundle is validated
as a load validates it).
"""

"""Tests of the developer tools the suite itself relies on: the real Neo4j server."""

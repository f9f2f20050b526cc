"""Tests of exports: neo4j-admin import files."""

"""Tests of api: the HTTP API on a real server and the CLI as a user runs it."""

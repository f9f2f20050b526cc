"""The session's embedded FalkorDB (``falkordb_server``), shared by tests/ and the
doctests of ``analysis/`` (``--doctest-modules``, ``testpaths`` in pyproject.toml).

A doctest that names ``store`` gets, through ``doctest_namespace``, a fresh graph with
the schema in place on that server (a real store, as in tests/conftest.py), and with
it ``catalogue`` (the bundled one), ``Bundle`` (tests/factories.py, to state a small
graph) and ``load(bundle)``, which loads it as ``sanctionnet load bundle`` does.
Doctests that do not name ``store`` start nothing.
"""

from __future__ import annotations

import itertools
import re

import pytest

_graphs = itertools.count()
_NAMES_STORE = re.compile(r"\bstore\b")


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory):
    """One embedded FalkorDB for the session, shared by the doctests and tests/ (each
    test or doctest takes a graph of its own on it)."""
    from graph_model.store import EmbeddedServer

    server = EmbeddedServer(tmp_path_factory.mktemp("falkordb"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _doctest_catalogue():
    from graph_model.catalogue.model import load_catalogue

    return load_catalogue()


def _names_store(node) -> bool:
    dtest = getattr(node, "dtest", None)  # only doctest items have one
    return dtest is not None and any(_NAMES_STORE.search(example.source) for example in dtest.examples)


@pytest.fixture(autouse=True)
def _doctest_store(request):
    """A fresh graph per doctest that names ``store``; nothing for any other test."""
    if not _names_store(request.node):
        yield
        return
    from graph_model.identity.pii import IdHasher
    from graph_model.store.falkordb import FalkorStore
    from loaders.bundle import load_bundle
    from tests.factories import Bundle

    server = request.getfixturevalue("falkordb_server")
    catalogue = request.getfixturevalue("_doctest_catalogue")
    folder = request.getfixturevalue("tmp_path") / "bundle"
    store = FalkorStore(unix_socket_path=str(server.socket), graph=f"doctest{next(_graphs)}")
    store.ensure_schema()

    def load(bundle: Bundle) -> None:
        report = load_bundle(store, catalogue, IdHasher(b"doctest-key-not-secret"), bundle.write(folder))
        if report.rejects:
            raise AssertionError(f"the doctest's bundle has rejects: {report.rejects}")

    namespace = request.getfixturevalue("doctest_namespace")
    names = {"store": store, "catalogue": catalogue, "Bundle": Bundle, "load": load}
    namespace.update(names)
    yield
    for name in names:
        namespace.pop(name, None)
    store.drop_graph()
    store.close()

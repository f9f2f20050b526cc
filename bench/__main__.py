"""``python -m bench`` (``make bench``): the scale benchmark, ``bench.scale``.

The focused benchmarks run on their own: ``python -m bench.spine`` (load and check on
the demo), ``bench.lifecycle``, ``bench.load``, ``bench.leads``, ``bench.http_load``,
``bench.briefing``, ``bench.explorer``.
"""

from bench.scale import main

main()

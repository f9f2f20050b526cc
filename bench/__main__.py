"""``python -m bench``: every benchmark, one after the other."""

from bench import spine

spine.main()

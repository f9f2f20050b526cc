"""``python -m bench``: every benchmark, one after the other."""

from bench import lifecycle, spine

spine.main()
lifecycle.main()

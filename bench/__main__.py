"""``python -m bench``: every benchmark, one after the other."""

from bench import lifecycle, load, spine

spine.main()
lifecycle.main()
load.main()

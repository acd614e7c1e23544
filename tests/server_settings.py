"""Settings for the real server processes that tests/test_servers.py starts: the test
settings with the facet and page caches on, as in production (local memory, no
Redis)."""

from tests.settings import *  # noqa: F403

FACET_CACHE_SECONDS = 300
PAGE_CACHE = True

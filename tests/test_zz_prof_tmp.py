import cProfile, pstats, pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
@pytest.mark.django_db
def test_t():
    pr = cProfile.Profile(); pr.enable()
    with CaptureQueriesContext(connection) as c:
        call_command("load_reference", verbosity=0)
    pr.disable(); print("queries", len(c.captured_queries))
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)

from django.http import Http404


class PublicHttp404(Http404):
    """A 404 whose message is written for the public and may be shown on the page."""


def is_database_unavailable(error):
    """Whether ``error`` says the database cannot be reached or read (it is down,
    refuses connections, its file is gone or unreadable), rather than that a query
    was wrong: a fault to answer 503 "temporarily unavailable" for, not 500."""
    from django.db import DatabaseError, InterfaceError, OperationalError

    return isinstance(error, OperationalError | InterfaceError) or (
        type(error) is DatabaseError
    )

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal library"

    def ready(self):
        # Connected here, not where the cache is read: an edit made from a shell or a
        # script must drop cached counts as surely as one made in the admin.
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_save, pre_save

        from core import text
        from core.collation import register_sqlite_function
        from core.history import typed_before_versioning
        from core.listing import cache
        from core.models import SearchSynonym, forget_synonyms
        from core.search import register_sqlite_functions

        cache.connect_receivers()
        text.connect_receivers()
        connection_created.connect(
            register_sqlite_function, dispatch_uid="core.collation.sqlite"
        )
        pre_save.connect(typed_before_versioning, dispatch_uid="core.history.typed")
        connection_created.connect(
            register_sqlite_functions, dispatch_uid="core.search.sqlite"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                forget_synonyms, sender=SearchSynonym, dispatch_uid="core.synonyms"
            )

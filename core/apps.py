from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal library"

    def ready(self):
        # Connected here, not where the cache is read: an edit made from a shell or a
        # script must drop cached counts as surely as one made in the admin.
        from django.db.backends.signals import connection_created
        from django.db.models.signals import pre_save

        from core import text
        from core.collation import register_sqlite_function
        from core.history import typed_before_versioning
        from core.listing import cache

        cache.connect_receivers()
        text.connect_receivers()
        connection_created.connect(
            register_sqlite_function, dispatch_uid="core.collation.sqlite"
        )
        pre_save.connect(typed_before_versioning, dispatch_uid="core.history.typed")

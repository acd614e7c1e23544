from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal library"

    def ready(self):
        # Connected here, not where the cache is read: an edit made from a shell or a
        # script must drop cached counts as surely as one made in the admin.
        from core.listing import cache

        cache.connect_receivers()

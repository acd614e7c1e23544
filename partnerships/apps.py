from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships and meetings"

    def ready(self):
        from partnerships import signals  # noqa: F401

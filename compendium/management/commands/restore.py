"""`manage.py restore FILE`: a backup made by `manage.py backup`, into an empty
database (never over one that holds content)."""

from django.core.management.base import BaseCommand, CommandError

from compendium.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore FILE, made by `manage.py backup`, into the database, which must be "
        "empty. Run `manage.py migrate` afterwards when the code is newer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup made by `manage.py backup`.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        try:
            restore(options["file"], using=options["database"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {options['file']}.")

"""`manage.py backup FILE`: a backup of the database, safe while the site runs."""

from django.core.management.base import BaseCommand, CommandError

from compendium.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database to FILE: pg_dump's custom format on PostgreSQL, "
        "SQLite's online backup on SQLite. Safe while the site runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the backup.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        try:
            path = backup(options["file"], using=options["database"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up to {path} ({path.stat().st_size} bytes).")

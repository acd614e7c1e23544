"""Django's makemessages, knowing the project's own marker and what to skip.

``Noun("practice", "practices")`` (core.listing.chips) is a singular and plural
pair that ngettext translates for a count; xgettext learns it as a keyword here.
Only the project's own code is read: the virtualenv, node_modules, the tests and
the benchmarks hold no interface strings.
"""

from django.core.management.commands import makemessages

IGNORED = [".venv", "node_modules", "tests", "bench", "staticfiles", "deploy"]


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=Noun:1,2"]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        return super().handle(*args, **options)

"""load_reference keeps editors' work: edited rows are skipped and reported, unedited
rows follow the fixtures, statuses never change, bad fixture rows stop their file.

The fixtures here are small files written for each test (test data, not reference
content); tests/test_reference_content.py loads the real reference content.
"""

import copy
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import LoadedRow, Status
from partnerships.models import ActionPoint
from practices.models import (
    LessonLearned,
    Organisation,
    Practice,
    PracticePartner,
    PracticeSource,
)

pytestmark = pytest.mark.django_db

TAXONOMY = {
    "sectors": [
        {
            "slug": "financial",
            "name": "Financial sector",
            "summary": "Banks and payment firms.",
            "description": "Money leaves traces.",
            "order": 1,
        }
    ],
    "stages": [
        {"slug": "exploitation", "name": "Exploitation", "description": "", "order": 1}
    ],
    "audiences": [
        {
            "slug": "private-sector",
            "name": "Private sector",
            "description": "",
            "order": 1,
        }
    ],
    "kinds": [
        {
            "slug": "information-sharing",
            "name": "Information sharing",
            "description": "",
            "order": 1,
        }
    ],
    "regions": [
        {"slug": "europe", "name": "Europe", "parent": None, "order": 1},
        {
            "slug": "western-europe",
            "name": "Western Europe",
            "parent": "europe",
            "order": 2,
        },
    ],
    "countries": [{"code": "DE", "region": "western-europe"}],
}


def organisation(slug, name, kind="financial_institution"):
    return {
        "slug": slug,
        "name": name,
        "type": kind,
        "country": "DE",
        "website": f"https://{slug}.example.org",
        "description": f"{name}, a test organisation.",
    }


PRACTICES = {
    "organisations": [
        organisation("bank-a", "Bank A"),
        organisation("bank-b", "Bank B"),
        organisation("fiu-de", "FIU Germany", "financial_intelligence_unit"),
    ],
    "practices": [
        {
            "slug": "shared-alerts",
            "title": "Shared alerts between banks",
            "summary": "Banks share red-flag indicators with the FIU.",
            "description": "",
            "sectors": ["financial"],
            "countries": ["DE"],
            "regions": [],
            "stages": ["exploitation"],
            "audiences": ["private-sector"],
            "kind": "information-sharing",
            "start_year": 2019,
            "end_year": None,
            "outcomes": "",
            "provenance": "documented_elsewhere",
            "provenance_note": "",
            "meetings": [],
            "tags": ["alerts", "banks"],
            "partners": [
                {"organisation": "bank-a", "role": "lead"},
                {"organisation": "fiu-de", "role": "partner"},
            ],
            "sources": [
                {
                    "title": "Annual report",
                    "publisher": "FIU Germany",
                    "url": "https://fiu-de.example.org/report",
                    "published_on": "2021-05-01",
                }
            ],
        },
        {
            "slug": "second-practice",
            "title": "A second practice",
            "summary": "Another practice in the same file.",
            "sectors": ["financial"],
            "kind": "information-sharing",
            "partners": [{"organisation": "bank-b", "role": "lead"}],
            "sources": [
                {"title": "Page", "publisher": "", "url": "https://example.org/page"}
            ],
        },
    ],
}

ACTION_POINTS = {
    "action_points": [
        {
            "text": "Share typologies of trafficking-related transactions.",
            "audience": "private-sector",
            "sector": "financial",
            "source_url": "https://example.org/action",
        }
    ]
}


@pytest.fixture
def fixtures(tmp_path):
    """Writes the reference files; call again with changed content to change them."""
    content = {
        "taxonomy": copy.deepcopy(TAXONOMY),
        "practices": copy.deepcopy(PRACTICES),
        "action_points": copy.deepcopy(ACTION_POINTS),
    }

    def write():
        for name in ("taxonomy", "practices", "action_points"):
            (tmp_path / f"{name}.json").write_text(
                json.dumps(content[name]), encoding="utf-8"
            )

    write()
    content["write"] = write
    content["directory"] = str(tmp_path)
    return content


def load(fixtures, *args):
    out, err = StringIO(), StringIO()
    call_command(
        "load_reference",
        "--directory",
        fixtures["directory"],
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue()


def practice_state(slug="shared-alerts"):
    practice = Practice.objects.get(slug=slug)
    return {
        "title": practice.title,
        "summary": practice.summary,
        "status": practice.status,
        "tags": sorted(practice.tags.names()),
        "partners": sorted(practice.partners.values_list("organisation__slug", "role")),
        "sources": sorted(practice.sources.values_list("url", "title")),
        "regions": sorted(practice.regions.values_list("slug", flat=True)),
    }


def everything():
    """Every loaded row and what the loader recorded, to show nothing was written."""
    return {
        "practices": sorted(
            Practice.objects.values_list("slug", "title", "summary", "status")
        ),
        "tags": sorted(
            (slug, tuple(sorted(Practice.objects.get(slug=slug).tags.names())))
            for slug in Practice.objects.values_list("slug", flat=True)
        ),
        "partners": sorted(
            PracticePartner.objects.values_list(
                "practice__slug", "organisation__slug", "role"
            )
        ),
        "sources": sorted(PracticeSource.objects.values_list("practice__slug", "url")),
        "organisations": sorted(Organisation.objects.values_list("slug", "name")),
        "action points": sorted(ActionPoint.objects.values_list("text", "status")),
        "records": sorted(
            LoadedRow.objects.values_list("model", "key", "fixture_digest")
        ),
    }


def edit_practice():
    """What an editor does in the admin: text, status, tags, partners, sources."""
    practice = Practice.objects.get(slug="shared-alerts")
    practice.summary = "An editor's better summary."
    practice.status = Status.ARCHIVED
    practice.save()
    practice.tags.add("editor tag")
    PracticePartner.objects.create(
        practice=practice,
        organisation=Organisation.objects.get(slug="bank-b"),
        role="funder",
        order=5,
    )
    PracticeSource.objects.create(
        practice=practice, title="Editor's source", url="https://example.org/editor"
    )


def test_a_first_load_creates_and_publishes_everything(fixtures):
    output = load(fixtures)

    assert "Rows: 13 created, 0 updated, 0 overwritten, 0 skipped" in output
    assert practice_state() == {
        "title": "Shared alerts between banks",
        "summary": "Banks share red-flag indicators with the FIU.",
        "status": Status.PUBLISHED,
        "tags": ["alerts", "banks"],
        "partners": [("bank-a", "lead"), ("fiu-de", "partner")],
        "sources": [("https://fiu-de.example.org/report", "Annual report")],
        # The country's region and its wider region come with it.
        "regions": ["europe", "western-europe"],
    }
    assert ActionPoint.objects.get().status == Status.PUBLISHED


def link_the_action_point(fixtures):
    fixtures["action_points"]["action_points"][0].update(
        practices=["shared-alerts"], note="A national typologies report"
    )
    fixtures["write"]()


def test_an_action_point_links_the_practices_it_names_and_keeps_its_note(fixtures):
    link_the_action_point(fixtures)
    load(fixtures)

    point = ActionPoint.objects.get()
    assert list(point.practices.values_list("slug", flat=True)) == ["shared-alerts"]
    assert point.derived_note == "A national typologies report"


def test_a_practice_link_an_editor_added_survives_a_fixture_change(fixtures):
    link_the_action_point(fixtures)
    load(fixtures)
    point = ActionPoint.objects.get()
    point.practices.add(Practice.objects.get(slug="second-practice"))
    fixtures["action_points"]["action_points"][0]["note"] = "A changed note"
    fixtures["write"]()

    load(fixtures, "--overwrite")

    point.refresh_from_db()
    assert sorted(point.practices.values_list("slug", flat=True)) == [
        "second-practice",
        "shared-alerts",
    ]
    assert point.derived_note == "A changed note"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"practices": ["no-such-practice"]}, "unknown practice ['no-such-practice']"),
        ({"derived_from": "Old free text"}, "unknown fields ['derived_from']"),
    ],
)
def test_an_action_point_row_with_a_bad_link_or_the_old_field_is_refused(
    fixtures, change, message
):
    fixtures["action_points"]["action_points"][0].update(change)
    fixtures["write"]()
    err = StringIO()

    with pytest.raises(CommandError, match=r"not loaded.*action_points.json"):
        call_command(
            "load_reference",
            "--directory",
            fixtures["directory"],
            stdout=StringIO(),
            stderr=err,
        )

    assert message in err.getvalue()
    assert not ActionPoint.objects.exists()


def test_a_second_load_changes_and_reports_nothing(fixtures):
    load(fixtures)
    before = everything()
    updated_at = dict(Practice.objects.values_list("slug", "updated_at"))

    output = load(fixtures)

    assert "Rows: 0 created, 0 updated, 0 overwritten, 0 skipped, 13 unchanged" in (
        output
    )
    assert "skipped" not in output.replace("0 skipped", "")
    assert everything() == before
    # Not even written again.
    assert dict(Practice.objects.values_list("slug", "updated_at")) == updated_at


def test_editors_changes_survive_a_reload_and_are_reported(fixtures):
    load(fixtures)
    edit_practice()
    edited = practice_state()
    # The fixture changes too, as it does when the reference content is revised.
    fixtures["practices"]["practices"][0]["title"] = "Revised title"
    fixtures["write"]()

    output = load(fixtures)

    assert practice_state() == edited
    assert (
        "skipped practices.practice 'shared-alerts': edited since it was loaded: "
        "summary, tags, partners, sources; --overwrite replaces it"
    ) in output
    assert "1 skipped" in output


def test_a_status_change_is_kept_and_does_not_stop_updates(fixtures):
    load(fixtures)
    Practice.objects.filter(slug="shared-alerts").update(status=Status.ARCHIVED)
    ActionPoint.objects.update(status=Status.DRAFT)
    fixtures["practices"]["practices"][0]["summary"] = "A revised summary."
    fixtures["write"]()

    output = load(fixtures)
    load(fixtures, "--overwrite")

    state = practice_state()
    assert state["status"] == Status.ARCHIVED
    assert state["summary"] == "A revised summary."
    assert ActionPoint.objects.get().status == Status.DRAFT
    assert "updated practices.practice 'shared-alerts'" in output


def test_unedited_rows_follow_the_fixture(fixtures):
    load(fixtures)
    practice = fixtures["practices"]["practices"][0]
    practice["title"] = "Revised title"
    practice["tags"] = ["alerts", "payments"]
    practice["partners"] = [{"organisation": "bank-a", "role": "partner"}]
    practice["sources"][0]["title"] = "Annual report 2021"
    fixtures["practices"]["organisations"][0]["name"] = "Bank A plc"
    fixtures["write"]()

    output = load(fixtures)

    state = practice_state()
    assert state["title"] == "Revised title"
    # What the loader wrote and the fixture dropped goes: tag, partner.
    assert state["tags"] == ["alerts", "payments"]
    assert state["partners"] == [("bank-a", "partner")]
    assert state["sources"] == [
        ("https://fiu-de.example.org/report", "Annual report 2021")
    ]
    assert Organisation.objects.get(slug="bank-a").name == "Bank A plc"
    assert "updated practices.practice 'shared-alerts'" in output
    assert "updated practices.organisation 'bank-a'" in output
    assert "Rows: 0 created, 2 updated, 0 overwritten, 0 skipped" in output


def test_overwrite_replaces_edited_rows_but_keeps_what_editors_added(fixtures):
    load(fixtures)
    edit_practice()

    output = load(fixtures, "--overwrite")

    assert practice_state() == {
        "title": "Shared alerts between banks",
        "summary": "Banks share red-flag indicators with the FIU.",
        "status": Status.ARCHIVED,  # never changed, even when overwriting
        "tags": ["alerts", "banks", "editor tag"],
        "partners": [("bank-a", "lead"), ("bank-b", "funder"), ("fiu-de", "partner")],
        "sources": [
            ("https://example.org/editor", "Editor's source"),
            ("https://fiu-de.example.org/report", "Annual report"),
        ],
        "regions": ["europe", "western-europe"],
    }
    assert (
        "overwritten practices.practice 'shared-alerts' "
        "(edited: summary, tags, partners, sources)"
    ) in output
    # Overwritten rows are the loader's again: the next load leaves them alone.
    assert "0 overwritten, 0 skipped" in load(fixtures)


def test_an_editor_removing_a_loaded_tag_or_partner_is_an_edit(fixtures):
    load(fixtures)
    practice = Practice.objects.get(slug="shared-alerts")
    practice.tags.remove("banks")
    practice.partners.filter(organisation__slug="fiu-de").delete()

    output = load(fixtures)

    assert practice_state()["tags"] == ["alerts"]
    assert practice_state()["partners"] == [("bank-a", "lead")]
    assert "edited since it was loaded: tags, partners" in output


@pytest.mark.parametrize("overwrite", [False, True])
def test_dry_run_reports_and_writes_nothing(fixtures, overwrite):
    load(fixtures)
    edit_practice()
    fixtures["practices"]["practices"][1]["title"] = "A renamed second practice"
    fixtures["practices"]["practices"].append(
        {
            **fixtures["practices"]["practices"][1],
            "slug": "third-practice",
            "title": "A third practice",
        }
    )
    fixtures["write"]()
    before = everything()

    output = load(fixtures, "--dry-run", *(["--overwrite"] if overwrite else []))

    assert everything() == before
    assert "[dry run] created practices.practice 'third-practice'" in output
    assert "[dry run] updated practices.practice 'second-practice'" in output
    if overwrite:
        assert "[dry run] overwritten practices.practice 'shared-alerts'" in output
    else:
        assert "[dry run] skipped practices.practice 'shared-alerts'" in output
    assert "nothing was written" in output


def test_dry_run_on_an_empty_database_creates_nothing(fixtures):
    output = load(fixtures, "--dry-run")

    assert "[dry run] Rows: 13 created" in output
    assert not Practice.objects.exists()
    assert not LoadedRow.objects.exists()


def test_a_row_an_editor_deleted_is_not_made_again(fixtures):
    load(fixtures)
    ActionPoint.objects.all().delete()

    output = load(fixtures)

    assert not ActionPoint.objects.exists()
    assert "skipped partnerships.actionpoint 'Share typologies" in output
    assert "deleted since it was loaded" in output
    load(fixtures, "--overwrite")
    assert ActionPoint.objects.get().status == Status.PUBLISHED


def test_rows_linking_to_what_an_editor_deleted_or_renamed_still_load(fixtures):
    fixtures["lessons"] = {
        "lessons": [
            {
                "text": "Alerts work when banks and the FIU meet regularly.",
                "sector": "financial",
                "practice": "shared-alerts",
            }
        ]
    }
    (Path(fixtures["directory"]) / "lessons.json").write_text(
        json.dumps(fixtures["lessons"])
    )
    load(fixtures)
    # A practice with lessons cannot be deleted (PROTECT): the editor deletes the
    # lesson first, then the practice.
    LessonLearned.objects.filter(practice__slug="shared-alerts").delete()
    Practice.objects.filter(slug="shared-alerts").delete()
    Organisation.objects.filter(slug="bank-b").update(slug="bank-b-renamed")

    output = load(fixtures)  # no file fails

    assert "skipped practices.practice 'shared-alerts': deleted since it was" in output
    assert (
        "skipped practices.lessonlearned 'Alerts work when banks and the FIU meet "
        "regularly.': deleted since it was loaded"
    ) in output
    assert (
        "skipped practices.organisation 'bank-b': edited since it was loaded: slug"
        in (output)
    )
    assert (
        "skipped practices.practice 'second-practice': edited since it was loaded: "
        "partners"
    ) in output
    assert list(
        Practice.objects.get(slug="second-practice").partners.values_list(
            "organisation__slug", flat=True
        )
    ) == ["bank-b-renamed"]


def test_an_edited_natural_key_is_an_edit_not_a_new_row(fixtures):
    load(fixtures)
    ActionPoint.objects.update(text="Share typologies, an editor's wording.")

    output = load(fixtures)

    assert list(ActionPoint.objects.values_list("text", flat=True)) == [
        "Share typologies, an editor's wording."
    ]
    assert "edited since it was loaded: text" in output


def test_a_row_made_before_the_loader_kept_records_is_adopted_or_kept(fixtures):
    load(fixtures)
    # As a database loaded by the previous loader, or rows an editor made first.
    LoadedRow.objects.all().delete()
    Practice.objects.filter(slug="second-practice").update(title="Editor's title")

    output = load(fixtures)

    assert Practice.objects.get(slug="second-practice").title == "Editor's title"
    assert (
        "skipped practices.practice 'second-practice': not loaded by load_reference "
        "before and differs from the fixture: title"
    ) in output
    assert "Rows: 0 created, 0 updated, 0 overwritten, 1 skipped, 12 unchanged" in (
        output
    )
    # Identical rows were adopted: changed in the fixture, they now follow it.
    fixtures["practices"]["practices"][0]["title"] = "Revised title"
    fixtures["write"]()
    assert "updated practices.practice 'shared-alerts'" in load(fixtures)


BAD_ROWS = {
    "javascript URL in a source": (
        lambda f: f["practices"]["practices"][0]["sources"][0].update(
            url="javascript:alert(1)"
        ),
        "practices.practice 'shared-alerts': sources[0].url: Enter a valid URL.",
    ),
    "javascript URL as a website": (
        lambda f: f["practices"]["organisations"][1].update(
            website="javascript:alert(document.cookie)"
        ),
        "practices.organisation 'bank-b': website: Enter a valid URL.",
    ),
    "summary over 600 characters": (
        lambda f: f["practices"]["practices"][1].update(summary="x" * 601),
        "practices.practice 'second-practice': summary: Ensure this value has at "
        "most 600 characters (it has 601).",
    ),
    "unknown organisation type": (
        lambda f: f["practices"]["organisations"][0].update(type="company"),
        "practices.organisation 'bank-a': type: Select a valid choice. company is "
        "not one of the available choices.",
    ),
    "unknown partner role": (
        lambda f: f["practices"]["practices"][0]["partners"][0].update(role="boss"),
        "practices.practice 'shared-alerts': partners[0].role: Select a valid "
        "choice. boss is not one of the available choices.",
    ),
    "end before start": (
        lambda f: f["practices"]["practices"][0].update(end_year=2001),
        "practices.practice 'shared-alerts': Constraint “practice_end_not_before_"
        "start” is violated.",
    ),
    "unknown sector": (
        lambda f: f["practices"]["practices"][1].update(sectors=["fishing"]),
        "practices.practice 'second-practice': sectors: unknown sector ['fishing']",
    ),
    "partner repeated": (
        lambda f: f["practices"]["practices"][0]["partners"].append(
            {"organisation": "bank-a", "role": "funder"}
        ),
        "practices.practice 'shared-alerts': partners[2]: organisation 'bank-a' is "
        "repeated",
    ),
    "practice repeated": (
        lambda f: f["practices"]["practices"].append(
            {**f["practices"]["practices"][1], "title": "Another title"}
        ),
        "practices.practice 'second-practice': repeated in this file",
    ),
    "source not an object": (
        lambda f: f["practices"]["practices"][1].update(
            sources=["https://example.org/page"]
        ),
        "practices.practice 'second-practice': sources[0]: not an object",
    ),
    "tag too long": (
        lambda f: f["practices"]["practices"][1].update(tags=["t" * 101]),
        f"practices.practice 'second-practice': tags: {'t' * 40!r} is empty, longer "
        "than 100 characters or holds a null character",
    ),
    "unknown field": (
        lambda f: f["practices"]["practices"][1].update(colour="red"),
        "practices.practice 'second-practice': unknown fields ['colour']",
    ),
}


@pytest.mark.parametrize("spoil, message", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_row_names_its_file_and_key_and_loads_nothing_from_that_file(
    fixtures, spoil, message
):
    spoil(fixtures)
    fixtures["write"]()
    err = StringIO()

    with pytest.raises(CommandError, match=r"file\(s\) not loaded.*practices.json"):
        call_command(
            "load_reference",
            "--directory",
            fixtures["directory"],
            stdout=StringIO(),
            stderr=err,
        )

    assert f"practices.json: {message} (nothing from practices.json was loaded)" in (
        err.getvalue()
    )
    assert not Practice.objects.exists()
    assert not Organisation.objects.exists()
    assert not LoadedRow.objects.filter(
        model__in=["practices.practice", "practices.organisation"]
    ).exists()
    # The other files, which do not depend on it, are loaded.
    assert ActionPoint.objects.count() == 1


def test_a_bad_row_leaves_what_was_loaded_before_untouched(fixtures):
    load(fixtures)
    fixtures["practices"]["practices"][0]["title"] = "Revised title"
    fixtures["practices"]["practices"][1]["sources"][0]["url"] = "javascript:void(0)"
    fixtures["write"]()

    with pytest.raises(CommandError):
        load(fixtures)

    assert practice_state()["title"] == "Shared alerts between banks"


def test_a_url_without_a_scheme_means_https_as_in_the_admin(fixtures):
    fixtures["practices"]["organisations"][0]["website"] = "bank-a.example.org"
    fixtures["write"]()

    load(fixtures)

    assert Organisation.objects.get(slug="bank-a").website == (
        "https://bank-a.example.org"
    )
    assert "13 unchanged" in load(fixtures)


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_on_a_bad_row(fixtures, tmp_path):
    """Through manage.py, as make run and a deploy run it, on a database of its own."""
    fixtures["practices"]["practices"][0]["sources"][0]["url"] = "javascript:x()"
    fixtures["write"]()
    database = settings.DATABASES["default"]
    env = {**os.environ, "DEBUG": "1"}
    if database["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'exit-code.sqlite3'}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            env=env,
            check=True,
            cwd=settings.BASE_DIR,
        )
    else:
        # The test database pytest-django made, committed by this transactional test.
        password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}{password}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        )

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "load_reference",
            "--directory",
            fixtures["directory"],
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode == 1
    assert "practices.json: practices.practice 'shared-alerts': sources[0].url" in (
        result.stderr
    )
    assert "1 file(s) not loaded, see above: practices.json" in result.stderr

"""Meeting dates show what is known, with how it is known; a meeting whose outcomes
were never published says so once."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from partnerships.models import Meeting
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

Precision = Meeting.DatePrecision


@pytest.mark.parametrize(
    ("start", "end", "precision", "shown", "known"),
    [
        ("2020-12-09", "2020-12-10", Precision.DAY, "9–10 December 2020", "2020-12-09"),
        ("2021-11-22", "2021-11-22", Precision.DAY, "22 November 2021", "2021-11-22"),
        ("2021-06-30", "2021-07-01", Precision.DAY, "30 June – 1 July 2021", None),
        ("2020-08-01", None, Precision.MONTH, "August 2020", "2020-08"),
        ("2019-01-01", None, Precision.YEAR, "2019", "2019"),
        (None, None, Precision.DAY, "Date not published", None),
    ],
)
def test_meeting_page_shows_the_date_as_far_as_it_is_known(
    client, start, end, precision, shown, known
):
    meeting = MeetingFactory(
        published=True,
        start_date=start and datetime.date.fromisoformat(start),
        end_date=end and datetime.date.fromisoformat(end),
        date_precision=precision,
        date_note="The week before UNODC's news item of 28 August 2020.",
    )

    text = re.sub(r"\s+", " ", client.get(meeting.get_absolute_url()).text)
    dates = re.search(r"<dt>Dates</dt><dd>(.*?)</dd>", text).group(1)

    assert shown in dates
    assert "news item of 28 August 2020" in dates
    if known:
        assert f'datetime="{known}"' in dates


def test_partial_dates_keep_the_list_and_export_in_the_order_meetings_took_place(
    client,
):
    later = MeetingFactory(
        published=True, title="Later", start_date=datetime.date(2020, 12, 9)
    )
    month = MeetingFactory(
        published=True,
        title="Month only",
        start_date=datetime.date(2020, 8, 1),
        date_precision=Precision.MONTH,
    )
    undated = MeetingFactory(published=True, title="Undated")

    page = client.get(reverse("partnerships:meeting_list")).text
    export = b"".join(
        client.get(reverse("partnerships:meeting_export")).streaming_content
    ).decode()
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))

    positions = [page.index(m.title) for m in (month, later, undated)]
    assert positions == sorted(positions)
    assert [row["title"] for row in rows] == ["Month only", "Later", "Undated"]
    assert [row["start_date"] for row in rows] == ["2020-08", "2020-12-09", ""]
    assert "August 2020" in page


def test_a_meeting_whose_outcomes_were_never_published_says_so_once(client):
    silent = MeetingFactory(published=True, outcomes_published=False)
    reported = MeetingFactory(published=True)

    silent_page = client.get(silent.get_absolute_url()).text
    reported_page = client.get(reported.get_absolute_url()).text

    sentence = "UNODC has not published the outcomes of this meeting."
    assert silent_page.count(sentence) == 1
    assert sentence not in reported_page


def test_an_end_date_needs_a_start_known_to_the_day():
    meeting = MeetingFactory.build(
        start_date=datetime.date(2020, 8, 1),
        end_date=datetime.date(2020, 8, 2),
        date_precision=Precision.MONTH,
    )

    with pytest.raises(Exception, match="meeting_end_date_only_with_day"):
        meeting.full_clean()

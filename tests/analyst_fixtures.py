"""A small dataset for the analyst outputs (export, report, notebook), built without Stanza.

The rows are written for these tests: a few weeks of events of several types, in several
governorates, with known actors and tolls, so that every count the outputs show is known.
`hostile=True` adds an article whose title, text and URL carry markup and script payloads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pipeline.writer import DatasetWriter
from schemas.models import ArticleRecord, Event

RUN_ID = "fixture-run"

# (article, date, event type, sub-event type, actor1, actor1 type, actor2, actor2 type,
#  location, admin1, lat, lon, killed, injured, civilian victims, sentence)
_EVENTS: list[tuple[Any, ...]] = [
    ("a1", dt.date(2018, 3, 5), "Explosions/Remote violence", "Air/drone strike",
     "Military Forces of Russia", "External/Other forces", "Civilians (Syria)", "Civilians",
     "Hamouriyeh", "Rural Damascus", 33.5245, 36.3881, 7, 15, True,
     "شنت طائرات حربية غارات على بلدة حمورية أدت إلى مقتل سبعة مدنيين."),
    ("a1", dt.date(2018, 3, 5), "Explosions/Remote violence", "Air/drone strike",
     "Military Forces of Russia", "External/Other forces", None, None,
     "Saqba", "Rural Damascus", 33.5233, 36.3806, 0, None, None,
     "وطالت الغارات أيضا بلدة سقبا المجاورة."),
    ("a2", dt.date(2018, 3, 8), "Battles", "Armed clash",
     "Military Forces of Syria (2000-)", "State forces", "Hayat Tahrir al-Sham", "Rebel group",
     "Latamneh", "Hama", 35.3197, 36.6206, 12, 4, False,
     "اشتبكت قوات الحكومة مع مقاتلين قرب بلدة اللطامنة وقتل اثنا عشر مقاتلا."),
    ("a2", dt.date(2018, 3, 9), "Explosions/Remote violence", "Shelling/artillery/missile attack",
     "Military Forces of Syria (2000-)", "State forces", None, None,
     "Khan Shaykhun", "Idleb", 35.4417, 36.6508, 2, 6, True,
     "سقطت قذائف مدفعية على مدينة خان شيخون فقتل شخصان."),
    ("a3", dt.date(2018, 3, 14), "Battles", "Government regains territory",
     "Military Forces of Syria (2000-)", "State forces", "Islamic State (Syria)", "Rebel group",
     "Mayadin", "Deir-ez-Zor", 35.0207, 40.4528, 3, None, False,
     "استعادت القوات الحكومية السيطرة على قرية قرب الميادين بعد معارك قتل فيها ثلاثة."),
    ("a3", dt.date(2018, 3, 15), "Explosions/Remote violence", "Remote explosive/landmine/IED",
     None, None, None, None,
     "Azaz", "Aleppo", 36.5866, 37.0463, 4, 9, True,
     "انفجرت عبوة ناسفة في سوق مدينة إعزاز فقتل أربعة أشخاص."),
    ("a4", dt.date(2018, 3, 21), "Protests", "Peaceful protest",
     "Protesters (Syria)", "Protesters", None, None,
     "Maarat al-Numan", "Idleb", 35.6479, 36.6717, 0, None, None,
     "خرج متظاهرون في معرة النعمان مطالبين بخروج الفصائل."),
    ("a4", dt.date(2018, 3, 22), "Strategic developments", "Agreement",
     "Military Forces of Russia", "External/Other forces", "Jaysh al-Islam", "Rebel group",
     "Douma", "Rural Damascus", 33.5711, 36.4019, 0, None, None,
     "توصل الطرفان إلى اتفاق لخروج المقاتلين من مدينة دوما."),
    ("a5", dt.date(2018, 3, 28), "Violence against civilians", "Abduction/forced disappearance",
     "Unidentified Armed Group (Syria)", "Political militia", "Civilians (Syria)", "Civilians",
     "Ar-Raqqa", "Ar-Raqqa", 35.9528, 39.0079, 0, None, True,
     "خطف مسلحون مجهولون ثلاثة مدنيين في مدينة الرقة."),
    ("a5", dt.date(2018, 4, 2), "Explosions/Remote violence", "Air/drone strike",
     "Military Forces of Syria (2000-)", "State forces", None, None,
     "Deraa", "Dar'a", 32.6189, 36.1021, 5, 10, True,
     "استهدفت غارة جوية حيا سكنيا في مدينة درعا وقتل خمسة مدنيين."),
    ("a5", None, "Strategic developments", "Other",
     None, None, None, None,
     None, None, None, None, 0, None, None,
     "وأفادت مصادر محلية بتحركات عسكرية في المنطقة."),
]  # fmt: skip

_ARTICLES: dict[str, tuple[str, str, dt.datetime]] = {
    "a1": ("وكالة الاختبار", "غارات على الغوطة", dt.datetime(2018, 3, 6, 9, tzinfo=dt.UTC)),
    "a2": ("وكالة الاختبار", "معارك في ريف حماة", dt.datetime(2018, 3, 10, 7, tzinfo=dt.UTC)),
    "a3": ("صحيفة الاختبار", "تطورات في دير الزور", dt.datetime(2018, 3, 16, 8, tzinfo=dt.UTC)),
    "a4": ("صحيفة الاختبار", "مظاهرات واتفاق", dt.datetime(2018, 3, 23, 10, tzinfo=dt.UTC)),
    "a5": ("وكالة الاختبار", "غارات وخطف", dt.datetime(2018, 4, 3, 6, tzinfo=dt.UTC)),
}

# A hostile article: markup and script in every untrusted field.
HOSTILE_ID = "hostile"
HOSTILE_TITLE = "<img src=x onerror=\"document.title='pwned'\">عنوان"
HOSTILE_URL = "javascript:document.title='pwned'"
HOSTILE_SENTENCE = (
    "<script>window.__pwned = 1; document.title = 'pwned';</script>"
    '<img src=x onerror="window.__pwned=2">'
    " قصفت مدفعية بلدة كفرنبل."
)


def _event(number: int, spec: tuple[Any, ...], url: str, published: dt.datetime) -> Event:
    (article, date, event_type, sub_event_type, actor1, actor1_type, actor2, actor2_type,
     location, admin1, lat, lon, killed, injured, civilians, sentence) = spec  # fmt: skip
    event_id = f"ev-{number:03d}"
    flags = ["alleged", "date_inherited"] if number == 4 else []
    if date is None:
        flags.append("date_unresolved")
    return Event(
        event_id=event_id,
        article_id=article,
        source=_ARTICLES[article][0] if article in _ARTICLES else "مصدر",
        url=url,
        published=published,
        event_type=event_type,
        sub_event_type=sub_event_type,
        action=sentence.split()[1],
        actor1=actor1,
        actor1_type=actor1_type,
        actor2=actor2,
        actor2_type=actor2_type,
        location=location,
        admin1=admin1,
        country="SYR" if location else None,
        latitude=lat,
        longitude=lon,
        geo_precision=1 if lat is not None else None,
        event_date=date,
        date_start=date,
        date_precision=1 if date else None,
        killed_low=killed or None,
        killed_high=killed or None,
        injured_low=injured,
        injured_high=injured,
        fatalities=killed,
        civilian_victims=civilians,
        reported_by="SOHR" if number % 3 == 0 else None,
        sentence=sentence,
        char_start=0,
        char_end=len(sentence),
        confidence=0.8,
        flags=flags,
        cluster_id=event_id,
        pipeline_version="0.1.0",
        run_id=RUN_ID,
    )


def fixture_events(hostile: bool = False) -> list[Event]:
    """The fixture's events (with the hostile article's event when asked)."""
    events = [
        _event(n, spec, f"https://example.org/news/{spec[0]}", _ARTICLES[spec[0]][2])
        for n, spec in enumerate(_EVENTS, start=1)
    ]
    if hostile:
        spec = (HOSTILE_ID, dt.date(2018, 3, 12), "Explosions/Remote violence",
                "Shelling/artillery/missile attack", "Military Forces of Syria (2000-)",
                "State forces", None, None, "Kafr Nabl", "Idleb", 35.6136, 36.5614, 1, None,
                True, HOSTILE_SENTENCE)  # fmt: skip
        published = dt.datetime(2018, 3, 12, 12, tzinfo=dt.UTC)
        events.append(_event(len(events) + 1, spec, HOSTILE_URL, published))
    return events


def fixture_articles(events: list[Event]) -> list[ArticleRecord]:
    """One article row per article of `events`, its text being the events' sentences."""
    rows: list[ArticleRecord] = []
    for article_id in dict.fromkeys(e.article_id for e in events):
        mine = [e for e in events if e.article_id == article_id]
        title = HOSTILE_TITLE if article_id == HOSTILE_ID else _ARTICLES[article_id][1]
        rows.append(
            ArticleRecord(
                article_id=article_id,
                source=mine[0].source,
                url=mine[0].url,
                title=title,
                published=mine[0].published,
                text=mine[0].sentence,
                n_chars=len(mine[0].sentence),
                n_sentences=len(mine),
                n_events=len(mine),
                content_sha256="0" * 64,
                input="fixture.jsonl",
                run_id=RUN_ID,
            )
        )
    return rows


def write_fixture_dataset(out_dir: Path, hostile: bool = False) -> list[Event]:
    """Write the fixture as a waqai dataset in `out_dir`; returns its events."""
    events = fixture_events(hostile)
    writer = DatasetWriter(out_dir, RUN_ID)
    writer.write("events", events)
    writer.write("articles", fixture_articles(events))
    writer.write("rejects", [])
    return events

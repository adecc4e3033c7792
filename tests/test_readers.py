import datetime as dt
import gzip
import io
import tarfile
from pathlib import Path

from pipeline.readers import ReadArticle, parse_published, read_inputs
from schemas import Reject
from tests.conftest import write_jsonl


def _read(*paths: Path) -> list[ReadArticle | Reject]:
    return list(read_inputs(list(paths), "r1"))


def test_published_iso_and_rfc2822_become_utc() -> None:
    assert parse_published("2018-05-11") == dt.datetime(2018, 5, 11, tzinfo=dt.UTC)
    rfc = parse_published("Fri, 11 May 2018 14:31:46 +0400")
    assert rfc == dt.datetime(2018, 5, 11, 10, 31, 46, tzinfo=dt.UTC)
    assert parse_published("2018-05-11T10:00:00Z") == dt.datetime(2018, 5, 11, 10, tzinfo=dt.UTC)
    assert parse_published(None) is None


def test_jsonl_bad_lines_become_rejects_and_good_ones_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    good = '{"id": "a1", "text": "قصف على دوما", "published": "2018-03-01"}'
    lines = [
        good,
        '{"id": "a2", "text": "غارة"',  # broken JSON
        '{"text": "بلا معرف"}',  # no id
        '{"id": "a4", "text": "نص", "published": "sometime"}',  # unreadable date
        "[1, 2]",  # not an object
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "a6", "text": "\xff\xfe"}\n')
    results = _read(path)
    assert [r.article.id for r in results if isinstance(r, ReadArticle)] == ["a1"]
    rejects = [r for r in results if isinstance(r, Reject)]
    assert [(r.line, r.reason_code) for r in rejects] == [
        (2, "broken_json"),
        (3, "missing_field"),
        (4, "bad_date"),
        (5, "broken_json"),
        (6, "undecodable"),
    ]
    assert all(r.input == str(path) and r.reason and r.snippet for r in rejects)
    assert rejects[2].article_id == "a4"


def test_txt_file_uses_its_stem_as_id(tmp_path: Path) -> None:
    path = tmp_path / "aleppo-report.txt"
    path.write_text("اشتباكات في حلب", "utf-8")
    (result,) = _read(path)
    assert isinstance(result, ReadArticle)
    assert result.article.id == "aleppo-report"
    assert result.article.published is None


def test_binary_and_undecodable_files_are_rejected(tmp_path: Path) -> None:
    image = tmp_path / "photo.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("قصف".encode("cp1256"))
    codes = [r.reason_code for r in _read(image, latin) if isinstance(r, Reject)]
    assert codes == ["binary", "undecodable"]


TREC = """<DOC>
<DOCNO>XX-world-1-20180301</DOCNO>
<URL>https://example.org/1</URL>
<SRC>example</SRC>
<TITLE>عنوان</TITLE>
<TIME>Thu, 01 Mar 2018 10:00:00 +0300</TIME>
<TEXT>
قصفت قوات النظام مدينة دوما.
</TEXT>
</DOC>
<DOC>
<DOCNO>XX-world-2-20180302</DOCNO>
<TEXT>اشتباكات في جوبر.</TEXT>
</DOC>
"""


def test_trec_docs_gzip_tar_and_directories(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(TREC, "utf-8")
    with gzip.open(folder / "b.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write('{"id": "g1", "text": "غارة على سراقب"}\n')
    (folder / "notes.md").write_text("not an article", "utf-8")
    archive = tmp_path / "dump.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = TREC.replace("XX-world", "TT-world").encode()
        info = tarfile.TarInfo("dump/c.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    results = _read(folder, archive, tmp_path / "missing.jsonl")
    ids = [r.article.id for r in results if isinstance(r, ReadArticle)]
    assert ids == [
        "XX-world-1-20180301",
        "XX-world-2-20180302",
        "g1",
        "TT-world-1-20180301",
        "TT-world-2-20180302",
    ]
    first = next(r for r in results if isinstance(r, ReadArticle))
    assert first.article.title == "عنوان"
    assert first.article.url == "https://example.org/1"
    assert first.article.published == dt.datetime(2018, 3, 1, 7, tzinfo=dt.UTC)
    assert first.article.text.strip() == "قصفت قوات النظام مدينة دوما."
    (missing,) = [r for r in results if isinstance(r, Reject)]
    assert missing.reason_code == "unreadable_file"


def test_empty_lines_are_skipped_not_rejected(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "text": "قصف"}])
    path.write_text(path.read_text("utf-8") + "\n\n", "utf-8")
    assert len(_read(path)) == 1

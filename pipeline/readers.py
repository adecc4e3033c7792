"""Input: JSON Lines, plain text and TREC-style <DOC> files (gzip and tar archives too).

A reader yields either an `InputArticle` with where it came from, or a `Reject` saying what was
wrong with a record. Format-level problems (a broken JSON line, undecodable bytes, a missing
field, an unreadable date) are found here; content problems (empty, HTML, not Arabic, oversize)
are the screening stage's job. Readers never raise on bad records: a run goes on.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import io
import json
import re
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas import InputArticle, Reject

SNIPPET_CHARS = 160
# Lines longer than this are rejected as oversize without being parsed (bounded memory).
MAX_RECORD_BYTES = 5_000_000

_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_TEXT_SUFFIXES = {".txt", ".text"}
# Inside a directory, only these are read (plus files without a suffix, as TREC dumps often
# are): a README or a stray image beside the articles is not an article.
_DIRECTORY_SUFFIXES = (
    _JSONL_SUFFIXES | _TEXT_SUFFIXES | {".gz", ".tgz", ".tar", ".xml", ".sgml", ".trec"}
)
_TREC_FIELD = re.compile(r"<(DOCNO|URL|SRC|TITLE|TIME|TEXT|AUTHOR|CAT)>(.*?)</\1>", re.DOTALL)
_TREC_DOC = re.compile(rb"<DOC>(.*?)</DOC>", re.DOTALL)


@dataclass(frozen=True)
class ReadArticle:
    """An article read from the input, and where it was read."""

    article: InputArticle
    input: str
    line: int | None


ReadResult = ReadArticle | Reject


def snippet(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return text[:SNIPPET_CHARS]


def parse_published(value: Any) -> dt.datetime | None:
    """ISO 8601 or RFC 2822 → aware UTC datetime; None for empty; ValueError when unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"published is not a string: {value!r}")
    text = value.strip()
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        raise ValueError(f"published is neither ISO 8601 nor RFC 2822: {text!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _reject(
    run_id: str,
    where: str,
    line: int | None,
    code: str,
    reason: str,
    raw: bytes | str | None = None,
    article_id: str | None = None,
) -> Reject:
    return Reject(
        input=where,
        line=line,
        article_id=article_id,
        reason_code=code,
        reason=reason,
        snippet=snippet(raw) if raw is not None else None,
        run_id=run_id,
    )


def looks_binary(raw: bytes) -> bool:
    """NUL bytes or many control bytes: an image, an archive, an executable, not text."""
    head = raw[:4096]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and controls / len(head) > 0.1


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _article(
    fields: dict[str, Any], where: str, line: int | None, run_id: str, raw: bytes | str
) -> ReadResult:
    """Validate one record's fields into an InputArticle, or say why not."""
    article_id = fields.get("id")
    article_id = str(article_id) if article_id not in (None, "") else None
    if article_id is None:
        return _reject(run_id, where, line, "missing_field", "record has no 'id'", raw)
    text = fields.get("text")
    if not isinstance(text, str):
        return _reject(
            run_id, where, line, "missing_field", "record has no string 'text'", raw, article_id
        )
    try:
        published = parse_published(fields.get("published"))
    except ValueError as error:
        return _reject(run_id, where, line, "bad_date", str(error), raw, article_id)
    try:
        article = InputArticle(
            id=article_id,
            text=text,
            title=_optional_str(fields.get("title")),
            source=_optional_str(fields.get("source")),
            url=_optional_str(fields.get("url")),
            published=published,
        )
    except ValidationError as error:
        reason = "; ".join(e["msg"] for e in error.errors())
        return _reject(run_id, where, line, "missing_field", reason, raw, article_id)
    return ReadArticle(article, where, line)


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def read_jsonl(stream: Iterable[bytes], where: str, run_id: str) -> Iterator[ReadResult]:
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        if len(raw) > MAX_RECORD_BYTES:
            yield _reject(
                run_id, where, number, "oversize", f"line of {len(raw):,} bytes is too large", raw
            )
            continue
        if looks_binary(raw):
            yield _reject(run_id, where, number, "binary", "line holds binary data", raw)
            continue
        line = _decode(raw)
        if line is None:
            yield _reject(run_id, where, number, "undecodable", "line is not valid UTF-8", raw)
            continue
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as error:
            yield _reject(run_id, where, number, "broken_json", f"invalid JSON: {error}", raw)
            continue
        if not isinstance(fields, dict):
            yield _reject(run_id, where, number, "broken_json", "line is not a JSON object", raw)
            continue
        yield _article(fields, where, number, run_id, line)


def read_trec(data: bytes, where: str, run_id: str) -> Iterator[ReadResult]:
    found = False
    for number, match in enumerate(_TREC_DOC.finditer(data), start=1):
        found = True
        raw = match.group(1)
        body = _decode(raw)
        if body is None:
            yield _reject(run_id, where, number, "undecodable", "<DOC> is not valid UTF-8", raw)
            continue
        fields = {tag: value.strip() for tag, value in _TREC_FIELD.findall(body)}
        record = {
            "id": fields.get("DOCNO"),
            "text": fields.get("TEXT"),
            "title": fields.get("TITLE"),
            "source": fields.get("SRC"),
            "url": fields.get("URL"),
            "published": fields.get("TIME"),
        }
        yield _article(record, where, number, run_id, body)
    if not found:
        yield _reject(run_id, where, None, "broken_json", "no <DOC> record in a TREC file", data)


def read_text(data: bytes, where: str, article_id: str, run_id: str) -> Iterator[ReadResult]:
    if len(data) > MAX_RECORD_BYTES:
        yield _reject(
            run_id, where, None, "oversize", f"file of {len(data):,} bytes is too large", data
        )
        return
    if looks_binary(data):
        yield _reject(run_id, where, None, "binary", "file holds binary data, not text", data)
        return
    text = _decode(data)
    if text is None:
        yield _reject(run_id, where, None, "undecodable", "file is not valid UTF-8", data)
        return
    yield _article({"id": article_id, "text": text}, where, None, run_id, text)


def _kind(name: str, head: bytes) -> str:
    """'jsonl', 'trec' or 'text', from the name and the first bytes."""
    suffix = Path(name).suffix.lower()
    if head.lstrip().startswith(b"<DOC>"):
        return "trec"
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if suffix in _TEXT_SUFFIXES and not head.lstrip().startswith(b"{"):
        return "text"
    if head.lstrip().startswith(b"{"):
        return "jsonl"
    return "text"


def _strip_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def read_bytes(data: bytes, name: str, where: str, run_id: str) -> Iterator[ReadResult]:
    """Dispatch one file's content (already decompressed) to the reader of its format."""
    kind = _kind(name, data[:512])
    if kind == "jsonl":
        yield from read_jsonl(io.BytesIO(data), where, run_id)
    elif kind == "trec":
        yield from read_trec(data, where, run_id)
    else:
        stem = Path(name).name.split(".")[0]
        yield from read_text(data, where, stem, run_id)


def read_path(path: Path, run_id: str) -> Iterator[ReadResult]:
    """Every record of one input path: a file, an archive or a directory."""
    where = str(path)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.name.startswith(".") or (
                child.suffix and child.suffix.lower() not in _DIRECTORY_SUFFIXES
            ):
                continue
            yield from read_path(child, run_id)
        return
    lower = path.name.lower()
    try:
        if lower.endswith((".tar", ".tar.gz", ".tgz")):
            yield from read_tar(path, run_id)
            return
        if lower.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                if _kind(_strip_gz(path.name), handle.peek(512)[:512]) == "jsonl":
                    yield from read_jsonl(handle, where, run_id)
                    return
                data = handle.read()
            yield from read_bytes(data, _strip_gz(path.name), where, run_id)
            return
        if _kind(path.name, _head(path)) == "jsonl":
            with path.open("rb") as handle:
                yield from read_jsonl(handle, where, run_id)
            return
        yield from read_bytes(path.read_bytes(), path.name, where, run_id)
    except (OSError, EOFError, tarfile.TarError, gzip.BadGzipFile) as error:
        yield _reject(run_id, where, None, "unreadable_file", f"cannot read file: {error}")


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(512)


def read_tar(path: Path, run_id: str) -> Iterator[ReadResult]:
    with tarfile.open(path, "r:*") as archive:
        for member in archive:
            if not member.isfile():
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            data = handle.read()
            name = _strip_gz(member.name)
            if member.name.lower().endswith(".gz"):
                data = gzip.decompress(data)
            yield from read_bytes(data, name, f"{path}:{member.name}", run_id)


def read_inputs(paths: Iterable[Path], run_id: str) -> Iterator[ReadResult]:
    """All records of all inputs, in input order; a missing path is a reject, not a crash."""
    for path in paths:
        if not path.exists():
            yield _reject(run_id, str(path), None, "unreadable_file", "no such file or directory")
            continue
        yield from read_path(path, run_id)

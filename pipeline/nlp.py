"""Stage 2: Stanza. Splits each article into sentences and finds named entities.

Paragraphs are sent to Stanza as separate documents (news paragraphs are independent units and
a sentence never crosses a line break), all paragraphs of a batch of articles in one
`bulk_process` call, which is markedly faster than one call per article. Offsets are mapped
back to the article's clean text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.document import Document, Sentence, Span


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-empty line of the clean text."""
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def annotate(docs: Sequence[Document], nlp: Any) -> None:
    """Fill `doc.sentences` (with tokens and entities) for every document, in one Stanza call."""
    import stanza

    jobs: list[tuple[Document, int, int]] = []  # (document, paragraph index, paragraph start)
    inputs = []
    for doc in docs:
        doc.sentences = []
        for number, (start, end) in enumerate(paragraphs(doc.text)):
            jobs.append((doc, number, start))
            inputs.append(stanza.Document([], text=doc.text[start:end]))
    if not inputs:
        return
    results = nlp.bulk_process(inputs)
    for (doc, number, base), result in zip(jobs, results, strict=True):
        for sentence in result.sentences:
            tokens = [
                Span(base + t.start_char, base + t.end_char, t.text, "") for t in sentence.tokens
            ]
            if not tokens:
                continue
            entities = [
                Span(base + e.start_char, base + e.end_char, e.text, e.type) for e in sentence.ents
            ]
            start, end = tokens[0].start, tokens[-1].end
            doc.sentences.append(
                Sentence(
                    index=len(doc.sentences),
                    start=start,
                    end=end,
                    text=doc.text[start:end],
                    paragraph=number,
                    tokens=tokens,
                    entities=entities,
                )
            )

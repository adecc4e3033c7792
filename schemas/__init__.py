"""The dataset contract: pydantic models, controlled vocabularies and the derived Arrow schema."""

from schemas.models import TABLES, ArticleRecord, Event, InputArticle, Reject

__all__ = ["TABLES", "ArticleRecord", "Event", "InputArticle", "Reject"]

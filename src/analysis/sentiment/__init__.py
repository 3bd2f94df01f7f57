"""Tone: sentence-level sentiment backends (:mod:`.backends`) and tone analyses (:mod:`.tone`)."""

from analysis.sentiment.backends import SentimentBackend, get_backend, list_backends

__all__ = ["SentimentBackend", "get_backend", "list_backends"]

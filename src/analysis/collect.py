"""Polite collection of RSS snapshots (and, optionally, article pages) into ``data/raw/NAME``.

One run fetches each feed once and stores the response body **byte for byte** in the layout
of the shared Le Monde corpus, so that ``analysis ingest`` reads a collected folder with no
extra option::

    NAME/
      2025/Nov/25/06-00-00/<feed-id>.xml   # one folder per run (UTC start time), one file per feed
      manifest.jsonl                       # one JSON line per fetch (feeds and article pages)
      articles/<url_key>.txt               # --articles: main text of an item's page (UTF-8)
      articles/<url_key>.json              # --articles: what happened to that page (metadata)

* Month folders use English three-letter abbreviations (``Jan`` ... ``Dec``) whatever the
  locale; times are UTC.
* ``<feed-id>`` is derived from the feed URL by :func:`feed_id`: host without ``www.``, then
  the path, ``/`` turned into ``_``, a final ``.xml``/``.rss``/``.atom`` dropped, any character
  outside ``A-Za-z0-9.,_-`` turned into ``_``; a query string, a name longer than 80
  characters or two feeds of one list with the same name add ``-`` and 8 hex digits of the
  URL's SHA-1. Example: ``https://www.lemonde.fr/international/rss_full.xml`` →
  ``lemonde.fr_international_rss_full``.
* Nothing is ever overwritten: files are written to a temporary name in the target folder and
  linked into place only if the name is free (a snapshot whose name is taken, e.g. two runs in
  the same second, gets ``<feed-id>.2.xml``); ``manifest.jsonl`` is only appended to.
* Conditional requests: the ETag and Last-Modified of a feed's last successful fetch (read
  back from the manifest) are sent as ``If-None-Match`` / ``If-Modified-Since``; a ``304 Not
  Modified`` writes a manifest line and no snapshot.
* Politeness and robustness: a User-Agent naming the tool (:data:`DEFAULT_USER_AGENT`), at
  least ``delay`` seconds between the end of one request and the start of the next to the
  same host (more if robots.txt asks for a ``Crawl-delay``), a time limit per attempt,
  bounded retries with exponential backoff on 5xx, timeouts and connection errors (never on
  4xx), a size cap enforced while streaming, at most ``max_redirects`` redirects (a loop is an
  error for that feed). One failing feed never stops the others.

Example (a dry run needs a server; see ``tests/test_collect.py`` for a complete one):
    >>> feed_id("https://www.lemonde.fr/international/rss_full.xml")
    'lemonde.fr_international_rss_full'
    >>> snapshot_relpath(datetime(2022, 9, 23, 19, 0, tzinfo=timezone.utc))
    '2022/Sep/23/19-00-00'
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from analysis import __version__
from analysis.ids import normalize_url, url_key

#: Token matched against ``User-agent:`` lines of robots.txt.
ROBOTS_TOKEN = "analysis-collector"
#: Default User-Agent header sent with every request.
DEFAULT_USER_AGENT = f"{ROBOTS_TOKEN}/{__version__} (+research; contact in README)"

DEFAULT_DELAY = 2.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 2.0
DEFAULT_MAX_REDIRECTS = 5
#: Shorter page texts are not kept (a menu or a cookie banner is not an article).
DEFAULT_MIN_CHARS = 200
#: Longest wait honoured from a ``Retry-After`` header (seconds).
MAX_RETRY_AFTER = 120.0

MANIFEST_NAME = "manifest.jsonl"
ARTICLES_DIR = "articles"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FEED_EXTENSIONS = (".xml", ".rss", ".atom")
_MAX_ID_LEN = 80

if TYPE_CHECKING:  # requests is imported where it is used, so that `analysis --help` stays fast
    import requests

Outcome = Literal["saved", "not_modified", "failed"]


# ----------------------------------------------------------------------------------------
# Names and paths
# ----------------------------------------------------------------------------------------


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def feed_id(url: str) -> str:
    """A safe, readable file name (without extension) for a feed URL.

    Example:
        >>> feed_id("https://www.france24.com/fr/europe/rss")
        'france24.com_fr_europe_rss'
        >>> feed_id("https://example.org/feed?cat=ukraine").startswith("example.org_feed-")
        True
    """
    url = url.strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if parts.port and parts.port not in (80, 443):
        host += f"-{parts.port}"
    path = parts.path.rstrip("/")
    for ext in _FEED_EXTENSIONS:
        if path.lower().endswith(ext):
            path = path[: -len(ext)]
            break
    slug = re.sub(r"[^A-Za-z0-9.,_-]+", "_", (host + path).replace("/", "_"))
    slug = re.sub(r"\.{2,}", ".", slug)
    slug = re.sub(r"_+", "_", re.sub(r"_[._-]*_", "_", slug)).strip("._-")
    if not slug or parts.query or len(slug) > _MAX_ID_LEN:
        slug = (slug[:_MAX_ID_LEN].rstrip("._-") or "feed") + "-" + _short_hash(url)
    return slug


def assign_feed_ids(urls: Sequence[str]) -> dict[str, str]:
    """Feed ids for a list of URLs, made unique by adding a hash where two names collide."""
    ids = {u: feed_id(u) for u in urls}
    counts = Counter(ids.values())
    return {u: (i if counts[i] == 1 else f"{i}-{_short_hash(u)}") for u, i in ids.items()}


def snapshot_relpath(when: datetime) -> str:
    """The run folder ``YYYY/Mon/DD/HH-MM-SS`` (UTC, English month) for a run time."""
    if when.tzinfo is None:
        raise ValueError("snapshot time must be timezone-aware (UTC)")
    t = when.astimezone(timezone.utc)
    return f"{t.year:04d}/{_MONTHS[t.month - 1]}/{t.day:02d}/{t.hour:02d}-{t.minute:02d}-{t.second:02d}"


def read_feed_list(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """Read a feed list: one URL per line, ``#`` starts a comment, blank lines ignored.

    Returns:
        ``(urls, problems)``: the valid http(s) URLs in order, and one message per rejected
        line naming the file, the line number and the problem.

    Raises:
        OSError: if the file cannot be read.
    """
    urls: list[str] = []
    problems: list[str] = []
    text = Path(path).read_text(encoding="utf-8-sig")
    for lineno, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not entry:
            continue
        problem = check_url(entry)
        if problem:
            problems.append(f"{path}:{lineno}: {problem}: {entry!r}")
        else:
            urls.append(entry)
    return urls, problems


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be fetched (a message), or None if it is an http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "URL has no host"
    if any(c.isspace() for c in url):
        return "URL contains white space"
    return None


# ----------------------------------------------------------------------------------------
# Never-overwriting atomic writes and the append-only manifest
# ----------------------------------------------------------------------------------------


def write_new_file(target: str | os.PathLike[str], data: bytes, *, rename_if_taken: bool = True) -> Path | None:
    """Write ``data`` to ``target`` atomically, never replacing an existing file.

    The bytes go to a hidden temporary file in the target folder (flushed and fsynced), which
    is then hard-linked to the target name: the link fails if the name exists, so even two
    concurrent runs cannot overwrite each other. If the name is taken, ``stem.2.ext``,
    ``stem.3.ext``... are tried when ``rename_if_taken``; otherwise None is returned and
    nothing is written. (On file systems without hard links an existence check followed by
    ``os.replace`` is used.)

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> write_new_file(d / "a.xml", b"1").name, write_new_file(d / "a.xml", b"2").name
        ('a.xml', 'a.2.xml')
        >>> write_new_file(d / "a.xml", b"3", rename_if_taken=False) is None, (d / "a.xml").read_bytes()
        (True, b'1')
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        suffix = "".join(target.suffixes[-1:])
        stem = target.name[: len(target.name) - len(suffix)] if suffix else target.name
        for n in range(1, 1000):
            candidate = target if n == 1 else target.with_name(f"{stem}.{n}{suffix}")
            if n > 1 and not rename_if_taken:
                return None
            try:
                os.link(tmp, candidate)
            except FileExistsError:
                continue
            except OSError as exc:  # no hard links here (some network / FUSE file systems)
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                if candidate.exists():
                    continue
                os.replace(tmp, candidate)
            return candidate
        raise FileExistsError(f"no free name for {target} (tried 999 variants)")
    finally:
        if tmp.exists():
            tmp.unlink()


class Manifest:
    """The append-only ``manifest.jsonl`` of a collection folder."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.problems: list[str] = []
        self._checked_tail = False

    def records(self) -> list[dict[str, Any]]:
        """All readable records; unreadable lines are listed in :attr:`problems`."""
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    self.problems.append(f"{self.path}:{lineno}: unreadable manifest line ignored ({exc.msg})")
                    continue
                if isinstance(rec, dict):
                    out.append(rec)
                else:
                    self.problems.append(f"{self.path}:{lineno}: manifest line is not a JSON object, ignored")
        return out

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as a JSON line (flushed and fsynced)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        with open(self.path, "ab") as fh:
            if not self._checked_tail:
                self._checked_tail = True
                if fh.tell() > 0:  # a run killed mid-line must not glue two records together
                    with open(self.path, "rb") as rd:
                        rd.seek(-1, os.SEEK_END)
                        if rd.read(1) != b"\n":
                            fh.write(b"\n")
            fh.write(line.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())


def conditional_state(records: Iterable[dict[str, Any]], out: Path) -> dict[str, dict[str, str]]:
    """Validators to send per feed (keyed by normalised URL), from the manifest records.

    Only feeds whose last saved snapshot still exists get validators: after a snapshot is
    deleted, the next run fetches the feed in full again.
    """
    state: dict[str, dict[str, Any]] = {}
    for rec in records:
        if rec.get("kind", "feed") != "feed" or not rec.get("url"):
            continue
        key = normalize_url(str(rec["url"]))
        if rec.get("status") == 200 and rec.get("path"):
            state[key] = {"etag": rec.get("etag"), "last_modified": rec.get("last_modified"), "path": rec["path"]}
        elif rec.get("status") == 304 and key in state:
            for name in ("etag", "last_modified"):
                if rec.get(name):
                    state[key][name] = rec[name]
    headers: dict[str, dict[str, str]] = {}
    for key, st in state.items():
        if not (out / st["path"]).is_file():
            continue
        h = {}
        if st.get("etag"):
            h["If-None-Match"] = st["etag"]
        if st.get("last_modified"):
            h["If-Modified-Since"] = st["last_modified"]
        if h:
            headers[key] = h | {"_path": st["path"]}
    return headers


# ----------------------------------------------------------------------------------------
# HTTP: one polite fetcher
# ----------------------------------------------------------------------------------------


@dataclass
class Fetch:
    """The result of fetching one URL (after redirects and retries)."""

    url: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    retryable: bool = False
    attempts: int = 0
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and (200 <= self.status < 300 or self.status == 304)


class _AttemptError(Exception):
    def __init__(self, message: str, *, retryable: bool, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class PoliteFetcher:
    """GET with a per-host delay, time limit, size cap, bounded redirects and retries.

    Args:
        user_agent: the User-Agent header.
        delay: minimum seconds between the end of a request and the start of the next one to
            the same host.
        timeout: seconds allowed for each attempt (connecting, waiting for the answer and
            downloading the body together).
        max_bytes: largest body accepted (after content decoding); bigger ones are aborted.
        retries: extra attempts after a 5xx, a timeout or a connection error (not after 4xx).
        backoff: the first retry waits ``backoff`` seconds, then 2x, 4x... (a ``Retry-After``
            header up to :data:`MAX_RETRY_AFTER` s is honoured if longer).
        max_redirects: redirects followed per request; more (or a loop) is an error.
        session: a ``requests.Session`` to use (proxies from the environment are disabled).
        sleep: the sleep function (tests may replace it).
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        delay: float = DEFAULT_DELAY,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if delay < 0 or timeout <= 0 or max_bytes <= 0 or retries < 0 or backoff < 0 or max_redirects < 0:
            raise ValueError("delay, backoff, retries and max_redirects must be >= 0; timeout and max_bytes > 0")
        self.user_agent = user_agent
        self.delay = delay
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        import requests

        self.session = session or requests.Session()
        self.session.trust_env = False  # no proxies / netrc from the environment
        self.session.max_redirects = max_redirects
        self.session.headers["User-Agent"] = user_agent
        self.max_redirects = max_redirects
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}

    @staticmethod
    def host(url: str) -> str:
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}:{parts.port or ''}"

    def set_host_delay(self, url: str, seconds: float) -> None:
        """Raise the delay for the host of ``url`` (e.g. to a robots.txt Crawl-delay)."""
        host = self.host(url)
        self._host_delay[host] = max(self._host_delay.get(host, 0.0), seconds)

    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is None:
            return
        wait = max(self.delay, self._host_delay.get(host, 0.0)) - (time.monotonic() - last)
        if wait > 0:
            self._sleep(wait)

    def get(self, url: str, headers: dict[str, str] | None = None) -> Fetch:
        """Fetch ``url``; never raises for network or HTTP problems (see :class:`Fetch`)."""
        result = Fetch(url=url)
        host = self.host(url)
        start = None
        for attempt in range(1, self.retries + 2):
            result.attempts = attempt
            self._wait_turn(host)
            if start is None:  # elapsed: attempts and backoff pauses, not the first politeness wait
                start = time.monotonic()
            try:
                self._attempt(url, headers or {}, result)
                result.error = None
                result.retryable = False
                break
            except _AttemptError as exc:
                result.error = str(exc)
                result.retryable = exc.retryable
                result.status = exc.status
                result.body = None
                if not exc.retryable or attempt > self.retries:
                    break
                pause = self.backoff * (2 ** (attempt - 1))
                if exc.retry_after is not None:
                    pause = max(pause, min(exc.retry_after, MAX_RETRY_AFTER))
                self._sleep(pause)
            finally:
                self._last[host] = time.monotonic()
        result.elapsed = time.monotonic() - (start or time.monotonic())
        return result

    def _attempt(self, url: str, headers: dict[str, str], result: Fetch) -> None:
        import requests
        import urllib3

        t0 = time.monotonic()
        try:
            resp = self.session.get(url, headers=headers, stream=True, timeout=(self.timeout, self.timeout), allow_redirects=True)
        except requests.TooManyRedirects as exc:
            raise _AttemptError(f"redirect loop or more than {self.max_redirects} redirects ({exc})", retryable=False) from None
        except requests.Timeout:
            raise _AttemptError(f"timed out after {self.timeout:g} s", retryable=True) from None
        except requests.ConnectionError as exc:
            raise _AttemptError(f"connection failed: {_short_exc(exc)}", retryable=True) from None
        except requests.RequestException as exc:
            raise _AttemptError(f"request failed: {_short_exc(exc)}", retryable=False) from None
        with resp:
            status = resp.status_code
            result.status = status
            result.final_url = resp.url
            result.headers = {k.lower(): v for k, v in resp.headers.items()}
            reason = f"HTTP {status} {resp.reason or ''}".strip()
            if status >= 500:
                raise _AttemptError(reason, retryable=True, status=status, retry_after=_retry_after(resp.headers.get("Retry-After")))
            if status >= 400:
                raise _AttemptError(reason, retryable=False, status=status)
            if status == 304:
                result.body = b""
                return
            if status >= 300:
                raise _AttemptError(f"{reason} without a usable Location header", retryable=False, status=status)
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > self.max_bytes:
                raise _AttemptError(f"body of {int(length):,} bytes exceeds --max-bytes {self.max_bytes:,}: not downloaded", retryable=False, status=status)
            chunks: list[bytes] = []
            total = 0
            raw = resp.raw
            try:
                while True:
                    # read1: whatever has arrived (up to 64 KiB), so that the time limit and the
                    # size cap are checked after every network read, not every 64 KiB
                    chunk = raw.read1(65536, decode_content=True)
                    if not chunk:  # end of the body
                        break
                    total += len(chunk)
                    if total > self.max_bytes:
                        raise _AttemptError(f"body exceeds --max-bytes {self.max_bytes:,}: download aborted", retryable=False, status=status)
                    chunks.append(chunk)
                    if time.monotonic() - t0 > self.timeout:
                        raise _AttemptError(f"timed out after {self.timeout:g} s while downloading", retryable=True, status=status)
            except (urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ProtocolError, OSError) as exc:
                raise _AttemptError(f"download interrupted: {_short_exc(exc)}", retryable=True, status=status) from None
            except urllib3.exceptions.DecodeError as exc:
                raise _AttemptError(f"cannot decode the body: {_short_exc(exc)}", retryable=False, status=status) from None
            result.body = b"".join(chunks)


def _short_exc(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


# ----------------------------------------------------------------------------------------
# Feed items and article pages
# ----------------------------------------------------------------------------------------


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


class FeedParseError(ValueError):
    """A feed from which no item could be read (not XML at all, or nothing parsed)."""


def feed_item_links(data: bytes) -> tuple[list[str], str | None]:
    """Links of the items of an RSS 2.0 / RSS 1.0 / Atom document, in order, without repeats.

    Same rules as the ingestion reader (:mod:`analysis.readers.rss`), so that the pages
    fetched are those of the documents ingestion will make: the item's ``<link>`` (Atom: the
    ``alternate`` link, else the first ``href``), else a ``<guid>``/``<id>`` that is a URL.
    Malformed XML is parsed in recovery mode, like ingestion does.

    Returns:
        ``(links, warning)``; ``warning`` says the XML was malformed (None if it was not).

    Raises:
        FeedParseError: if nothing could be parsed.

    Example:
        >>> feed_item_links(b"<rss><channel><item><link>https://a.fr/1</link></item>"
        ...                 b"<item><guid>https://a.fr/2</guid></item></channel></rss>")
        (['https://a.fr/1', 'https://a.fr/2'], None)
    """
    from lxml import etree

    if not data.strip():
        raise FeedParseError("empty document")
    parser = etree.XMLParser(recover=True, huge_tree=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedParseError(f"not XML: {exc}") from None
    if root is None:
        raise FeedParseError("not XML: nothing could be parsed")
    warning = None
    if len(parser.error_log):
        first = parser.error_log[0]
        warning = f"malformed XML (recovered what parsed): line {first.line}: {first.message}"
    links: list[str] = []
    seen: set[str] = set()
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        link, other = "", ""
        for child in item:
            if _local(child.tag) != "link":
                continue
            href = child.get("href")
            if href is None:
                link = "".join(child.itertext()).strip()
            elif child.get("rel", "alternate") == "alternate":
                link = href.strip()
            else:
                other = other or href.strip()
            if link:
                break
        link = link or other
        if not link:
            for child in item:
                if _local(child.tag) in ("guid", "id"):
                    value = "".join(child.itertext()).strip()
                    if value.startswith(("http://", "https://")):
                        link = value
                    break
        if link and link not in seen:
            seen.add(link)
            links.append(link)
    return links, warning


def extract_main_text(html: bytes, *, url: str | None = None) -> str | None:
    """Main text of an HTML page with trafilatura (offline; comments and tables left out)."""
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True, deduplicate=False)
    if text is None:
        return None
    text = text.strip()
    return text or None


class _Robots:
    """robots.txt per origin, fetched once per run through the polite fetcher (RFC 9309 rules)."""

    def __init__(self, fetcher: PoliteFetcher):
        self.fetcher = fetcher
        self._cache: dict[str, tuple[RobotFileParser | None, str | None]] = {}

    def check(self, url: str) -> tuple[bool, str | None, bool]:
        """``(allowed, reason, permanent)`` for fetching ``url``."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._cache:
            res = self.fetcher.get(origin + "/robots.txt")
            parser = RobotFileParser()
            problem = None
            if res.ok and res.status != 304:
                parser.parse((res.body or b"").decode("utf-8", errors="replace").splitlines())
                delay = parser.crawl_delay(ROBOTS_TOKEN)
                if delay:
                    self.fetcher.set_host_delay(url, float(delay))
            elif res.status is not None and 400 <= res.status < 500:
                parser.allow_all = True  # RFC 9309 2.3.1.3: "unavailable" -> no restriction
            else:  # RFC 9309 2.3.1.4: "unreachable" -> assume complete disallow, try again later
                parser = None
                problem = f"robots.txt unreachable ({res.error})"
            self._cache[origin] = (parser, problem)
        parser, problem = self._cache[origin]
        if parser is None:
            return False, problem, False
        if not parser.can_fetch(ROBOTS_TOKEN, url):
            return False, "disallowed by robots.txt", True
        return True, None, True


# ----------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------


@dataclass
class FeedOutcome:
    """What happened to one feed in a run."""

    url: str
    feed_id: str
    outcome: Outcome
    status: int | None = None
    bytes: int = 0
    path: str | None = None
    error: str | None = None
    attempts: int = 0


@dataclass
class CollectReport:
    """Summary of one collection run."""

    out: Path
    snapshot: str
    feeds: list[FeedOutcome] = field(default_factory=list)
    input_problems: list[str] = field(default_factory=list)
    articles: Counter = field(default_factory=Counter)
    article_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[FeedOutcome]:
        return [f for f in self.feeds if f.outcome == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when every feed was saved or not modified and the input had no bad line, else 1."""
        return 1 if (self.failed or self.input_problems) else 0


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _echo_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def collect_rss(
    feeds: Sequence[str],
    out: str | os.PathLike[str],
    *,
    articles: bool = False,
    delay: float = DEFAULT_DELAY,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    user_agent: str = DEFAULT_USER_AGENT,
    min_chars: int = DEFAULT_MIN_CHARS,
    now: datetime | None = None,
    session: requests.Session | None = None,
    echo: Callable[[str], None] | None = _echo_stderr,
    progress: bool | None = None,
) -> CollectReport:
    """Fetch each feed once into ``out`` (and, with ``articles``, the new items' pages).

    Args:
        feeds: feed URLs (duplicates after URL normalisation are fetched once; invalid URLs
            are reported in ``input_problems`` and skipped).
        out: the collection folder, e.g. ``data/raw/ukraine``.
        articles: also fetch each item page not yet in ``out/articles/`` (robots.txt
            respected) and store its main text as ``articles/<url_key>.txt``.
        delay, timeout, max_bytes, retries, backoff, max_redirects, user_agent: see
            :class:`PoliteFetcher`.
        min_chars: page texts shorter than this (in characters) are not kept: the page is
            recorded as ``no_text`` and the RSS lead stays the document text.
        now: the run time (UTC) naming the snapshot folder; default: the current time.
        session: a ``requests.Session`` to use.
        echo: where per-feed progress lines go (stderr by default; None for silence).
        progress: show a tqdm bar for article pages (default: when stderr is a TTY).

    Returns:
        A :class:`CollectReport`; its ``exit_code`` is 0 if every feed succeeded.
    """
    say = echo or (lambda _msg: None)
    out = Path(out)
    run_time = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    snap = snapshot_relpath(run_time)
    report = CollectReport(out=out, snapshot=snap)

    urls: list[str] = []
    seen: dict[str, str] = {}
    for raw in feeds:
        url = raw.strip()
        problem = check_url(url)
        if problem:
            report.input_problems.append(f"{url!r}: {problem}")
            continue
        key = normalize_url(url)
        if key in seen:
            say(f"note: {url} is the same feed as {seen[key]}: fetched once")
            continue
        seen[key] = url
        urls.append(url)
    for problem in report.input_problems:
        say(f"error: {problem}")
    ids = assign_feed_ids(urls)

    manifest = Manifest(out / MANIFEST_NAME)
    validators = conditional_state(manifest.records(), out)
    for problem in manifest.problems:
        say(f"warning: {problem}")
    fetcher = PoliteFetcher(
        user_agent=user_agent, delay=delay, timeout=timeout, max_bytes=max_bytes, retries=retries,
        backoff=backoff, max_redirects=max_redirects, session=session,
    )

    pages: list[tuple[str, str]] = []  # (item link, feed id) for --articles
    page_seen: set[str] = set()
    width = len(str(len(urls)))
    for i, url in enumerate(urls, 1):
        fid = ids[url]
        cond = dict(validators.get(normalize_url(url), {}))
        previous = cond.pop("_path", None)
        started = _now_iso()
        res = fetcher.get(url, cond)
        record: dict[str, Any] = {
            "kind": "feed", "url": url, "feed_id": fid, "time": started, "run": snap,
            "status": res.status, "final_url": res.final_url, "bytes": None, "etag": None,
            "last_modified": None, "sha256": None, "path": None, "error": None,
            "attempts": res.attempts, "elapsed_s": round(res.elapsed, 3),
        }
        body_for_links: bytes | None = None
        if res.ok and res.status == 304:
            record["etag"] = res.headers.get("etag") or cond.get("If-None-Match")
            record["last_modified"] = res.headers.get("last-modified") or cond.get("If-Modified-Since")
            outcome = FeedOutcome(url, fid, "not_modified", status=304, path=previous, attempts=res.attempts)
            if articles and previous and (out / previous).is_file():
                body_for_links = (out / previous).read_bytes()
        elif res.ok:
            body = res.body or b""
            written = write_new_file(out / snap / f"{fid}.xml", body)
            assert written is not None
            rel = written.relative_to(out).as_posix()
            record.update(
                bytes=len(body), etag=res.headers.get("etag"), last_modified=res.headers.get("last-modified"),
                sha256=hashlib.sha256(body).hexdigest(), path=rel,
            )
            outcome = FeedOutcome(url, fid, "saved", status=res.status, bytes=len(body), path=rel, attempts=res.attempts)
            body_for_links = body
        else:
            record["error"] = res.error
            outcome = FeedOutcome(url, fid, "failed", status=res.status, error=res.error, attempts=res.attempts)
        manifest.append(record)
        report.feeds.append(outcome)
        tries = f"{res.attempts} attempt{'s' if res.attempts != 1 else ''}, {res.elapsed:.1f} s"
        if outcome.outcome == "saved":
            say(f"[{i:>{width}}/{len(urls)}] saved        {res.status} {outcome.bytes:>10,} B  {fid} -> {outcome.path} ({tries})")
        elif outcome.outcome == "not_modified":
            say(f"[{i:>{width}}/{len(urls)}] not modified 304 {'':>12}  {fid} ({tries})")
        else:
            say(f"[{i:>{width}}/{len(urls)}] FAILED       {res.status or '---'} {'':>12}  {fid}: {res.error} ({tries})")
        if articles and body_for_links is not None:
            try:
                links, warning = feed_item_links(body_for_links)
            except FeedParseError as exc:
                links, warning = [], f"{exc}: no item page to fetch"
            if warning:
                report.article_errors.append(f"{fid}: {warning}")
                say(f"    warning: {fid}: {warning}")
            for link in links:
                if link not in page_seen:
                    page_seen.add(link)
                    pages.append((link, fid))

    if articles:
        _collect_articles(pages, out, fetcher, manifest, report, snap, say, progress, min_chars)

    n_saved = sum(f.outcome == "saved" for f in report.feeds)
    n_nm = sum(f.outcome == "not_modified" for f in report.feeds)
    summary = f"{len(report.feeds)} feeds: {n_saved} saved, {n_nm} not modified, {len(report.failed)} failed"
    if articles:
        a = report.articles
        summary += (
            f"; article pages: {a['saved']} saved, {a['already']} already collected, "
            f"{a['disallowed']} disallowed by robots.txt, {a['failed']} failed, {a['no_text']} without main text"
        )
    say(summary + f" (snapshot {out / snap})")
    return report


def _collect_articles(
    pages: list[tuple[str, str]],
    out: Path,
    fetcher: PoliteFetcher,
    manifest: Manifest,
    report: CollectReport,
    snap: str,
    say: Callable[[str], None],
    progress: bool | None,
    min_chars: int,
) -> None:
    from tqdm import tqdm

    adir = out / ARTICLES_DIR
    robots = _Robots(fetcher)
    todo = []
    for link, fid in pages:
        key = url_key(link)
        if (adir / f"{key}.txt").exists() or (adir / f"{key}.json").exists():
            report.articles["already"] += 1
        else:
            todo.append((link, fid, key))
    if progress is None:
        progress = sys.stderr.isatty()
    extractor = None
    bar = tqdm(todo, desc="article pages", unit="page", disable=not progress, file=sys.stderr)
    for link, fid, key in bar:
        meta: dict[str, Any] = {"url": link, "key": key, "feed_id": fid, "time": _now_iso(), "run": snap}
        record: dict[str, Any] = {
            "kind": "article", "url": link, "key": key, "feed_id": fid, "time": meta["time"], "run": snap,
            "status": None, "final_url": None, "bytes": None, "sha256": None, "path": None, "error": None, "attempts": 0,
        }
        category, permanent = "failed", True
        problem = check_url(link)
        if problem:
            record["error"] = f"item link {problem}"
        else:
            allowed, reason, permanent = robots.check(link)
            if not allowed:
                record["error"] = reason
                category = "disallowed" if permanent else "failed"
            else:
                res = fetcher.get(link)
                record.update(status=res.status, final_url=res.final_url, attempts=res.attempts)
                ctype = res.headers.get("content-type", "")
                if not res.ok or res.status == 304:
                    record["error"] = res.error or f"HTTP {res.status}"
                    permanent = not res.retryable
                elif ctype and "html" not in ctype.lower():
                    record["error"] = f"not an HTML page (Content-Type: {ctype})"
                else:
                    body = res.body or b""
                    record.update(bytes=len(body), sha256=hashlib.sha256(body).hexdigest())
                    if extractor is None:
                        import trafilatura

                        extractor = f"trafilatura {trafilatura.__version__}"
                    text = extract_main_text(body, url=res.final_url or link)
                    meta.update(extractor=extractor, chars=len(text) if text else 0)
                    if text is None or len(text) < min_chars:
                        found = f" (only {len(text)} characters, minimum {min_chars})" if text else ""
                        record["error"] = "no main text extracted" + found
                        category = "no_text"
                    else:
                        data = (text + "\n").encode("utf-8")
                        if write_new_file(adir / f"{key}.txt", data, rename_if_taken=False) is None:
                            record["error"] = f"{ARTICLES_DIR}/{key}.txt appeared during the run: kept, not overwritten"
                        else:
                            record["path"] = f"{ARTICLES_DIR}/{key}.txt"
                            category = "saved"
        report.articles[category] += 1
        manifest.append(record)
        # The JSON sidecar marks the page as done; transient failures (5xx, timeouts,
        # robots.txt unreachable) get none, so the page is tried again on the next run.
        if record["path"] or permanent:
            meta.update({k: record[k] for k in ("status", "final_url", "bytes", "sha256", "path", "error")})
            data = (json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
            write_new_file(adir / f"{key}.json", data, rename_if_taken=False)
        if record["error"]:
            message = f"    article {link}: {record['error']}"
            report.article_errors.append(f"{link}: {record['error']}")
            if progress:
                tqdm.write(message, file=sys.stderr)
            else:
                say(message)

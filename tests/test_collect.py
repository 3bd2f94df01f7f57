"""Tests of ``analysis collect`` against a local HTTP server (127.0.0.1 only, started here).

The server below is SYNTHETIC: it serves invented feeds and pages (tests/fixtures/collect/)
in every way a real site can misbehave: a normal feed, a slow one, ETag and Last-Modified
feeds (304 on the second run), 404, 500 then 200, a redirect loop, malformed XML, cp1252
bytes, oversized bodies (with and without Content-Length), robots.txt with a disallowed
folder, and article pages. No test reaches any other address: the collector's session
ignores proxy settings and every URL is built from the server's own port.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from analysis import cli
from analysis.collect import (
    DEFAULT_USER_AGENT,
    Manifest,
    PoliteFetcher,
    assign_feed_ids,
    collect_rss,
    extract_main_text,
    feed_id,
    feed_item_links,
    read_feed_list,
    snapshot_relpath,
    write_new_file,
)
from analysis.ids import url_key

FIX = Path(__file__).parent / "fixtures" / "collect"
RUN1 = datetime(2022, 9, 23, 19, 0, 0, tzinfo=timezone.utc)
RUN2 = datetime(2022, 9, 24, 7, 5, 9, tzinfo=timezone.utc)
FAST = dict(delay=0.0, timeout=0.5, retries=1, backoff=0.05, max_bytes=100_000, echo=None)


def rss(base: str, items: list[tuple[str, str, str, str]], *, title: str = "International : Toute l’actualité sur Journal Test.",
        encoding: str = "utf-8") -> bytes:
    """A synthetic RSS 2.0 document; items are (title, lead, pubDate, link)."""
    body = "".join(
        f"<item><title><![CDATA[{t}]]></title><pubDate>{d}</pubDate><description><![CDATA[{lead}]]></description>"
        f"<guid isPermaLink=\"true\">{link}</guid><link>{link}</link></item>"
        for t, lead, d, link in items
    )
    xml = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel><title>{title}</title>'
        f"<link>{base}/international/rss_full.xml</link><language>fr</language>{body}</channel></rss>\n"
    )
    return xml.encode(encoding)


class Site:
    """What the synthetic server serves, and what it was asked (thread-safe log)."""

    def __init__(self) -> None:
        self.base = ""
        self.lock = threading.Lock()
        self.log: list[tuple[str, dict[str, str], float]] = []
        self.hits: Counter = Counter()
        self.robots_status = 200
        self.feeds: dict[str, bytes] = {}

    def build(self, base: str) -> None:
        self.base = base
        self.feeds = {
            "/feeds/normal.xml": rss(base, [
                ("Contre-offensive près de Kharkiv", "Les forces ukrainiennes reprennent des villages au sud-est de Kharkiv.",
                 "Fri, 23 Sep 2022 10:00:00 +0200", f"{base}/articles/kharkiv.html"),
                ("Note confidentielle sur le front", "Un document interne détaille les besoins en munitions de l'armée.",
                 "Fri, 23 Sep 2022 11:00:00 +0200", f"{base}/private/secret.html"),
            ]),
            "/feeds/etag.xml": rss(base, [
                ("Sanctions européennes contre Moscou", "Les Vingt-Sept adoptent un nouveau paquet de sanctions contre la Russie.",
                 "Fri, 23 Sep 2022 12:00:00 +0200", f"{base}/articles/missing.html"),
            ], title="Europe : Toute l’actualité sur Journal Test."),
            "/feeds/lastmod.xml": rss(base, [
                ("Référendums dans les territoires occupés", "Moscou organise des scrutins jugés illégaux par Kiev et ses alliés.",
                 "Fri, 23 Sep 2022 13:00:00 +0200", f"{base}/articles/lastmod-item.html"),
            ], title="Débats : Toute l’actualité sur Journal Test."),
            "/feeds/flaky.xml": rss(base, [
                ("Odessa : le port rouvre", "Le premier navire chargé de céréales a quitté le port d'Odessa mardi matin.",
                 "Fri, 23 Sep 2022 14:00:00 +0200", f"{base}/articles/odessa.html"),
            ]),
            "/feeds/cp1252.xml": rss(base, [
                ("Kyiv : l’armée ukrainienne résiste à Bakhmout", "Les combats se poursuivent à l’est, où l’artillerie pilonne la ville œuvre après œuvre.",
                 "Fri, 23 Sep 2022 15:00:00 +0200", f"{base}/articles/empty.html"),
            ], encoding="windows-1252"),
            # complete item, then a truncated one: not well-formed XML
            "/feeds/malformed.xml": rss(base, [
                ("Marioupol, six mois après", "La ville portuaire reste sous contrôle russe, ses habitants racontent le siège.",
                 "Fri, 23 Sep 2022 16:00:00 +0200", f"{base}/articles/gone.html"),
            ]).replace(b"</channel></rss>\n", b"<item><title>Tronqu"),
        }
        self.pages = {
            "/articles/kharkiv.html": (FIX / "article-kharkiv.html").read_bytes(),
            "/articles/odessa.html": (FIX / "article-odessa.html").read_bytes(),
            "/articles/lastmod-item.html": (FIX / "article-odessa.html").read_bytes(),
            "/articles/empty.html": b"<!DOCTYPE html><html><head><title>Vide</title></head><body><nav>Accueil</nav></body></html>",
            "/private/secret.html": (FIX / "article-kharkiv.html").read_bytes(),
        }

    def count(self, path: str) -> int:
        with self.lock:
            return self.hits[path]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes = b"", *, ctype: str = "application/rss+xml", headers: dict | None = None,
              length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        site: Site = self.server.site  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        with site.lock:
            site.hits[path] += 1
            n = site.hits[path]
            site.log.append((path, dict(self.headers), time.monotonic()))
        if path == "/robots.txt":
            if site.robots_status != 200:
                return self._send(site.robots_status, b"oops", ctype="text/plain")
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", ctype="text/plain")
        if path == "/feeds/slow.xml":
            time.sleep(1.0)
            return self._send(200, site.feeds["/feeds/normal.xml"])
        if path == "/feeds/missing.xml":
            return self._send(404, b"not found", ctype="text/plain")
        if path == "/feeds/flaky.xml" and n == 1:
            return self._send(500, b"boom", ctype="text/plain")
        if path == "/feeds/loop.xml":
            return self._send(302, headers={"Location": "/feeds/loop-b.xml"})
        if path == "/feeds/loop-b.xml":
            return self._send(302, headers={"Location": "/feeds/loop.xml"})
        if path == "/feeds/etag.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304, headers={"ETag": '"v1"'}, length=False)
            return self._send(200, site.feeds[path], headers={"ETag": '"v1"'})
        if path == "/feeds/lastmod.xml":
            stamp = "Fri, 23 Sep 2022 13:30:00 GMT"
            if self.headers.get("If-Modified-Since") == stamp:
                return self._send(304, length=False)
            return self._send(200, site.feeds[path], headers={"Last-Modified": stamp})
        if path in ("/feeds/gzip.xml", "/feeds/bomb.xml"):
            import gzip

            raw = site.feeds["/feeds/normal.xml"] if path == "/feeds/gzip.xml" else b" " * 5_000_000
            return self._send(200, gzip.compress(raw), headers={"Content-Encoding": "gzip"})
        if path == "/feeds/down.xml":
            return self._send(503, b"maintenance", ctype="text/plain", headers={"Retry-After": self.headers.get("X-Test-Retry-After", "0.2")})
        if path == "/feeds/trickle.xml":  # answers at once, then sends a few bytes every 0.2 s
            self._send(200, length=False)
            try:
                for _ in range(10):
                    self.wfile.write(b"<!-- x -->")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            return None
        if path == "/feeds/huge.xml":  # no Content-Length: the size is only known while streaming
            self._send(200, length=False)
            try:
                for _ in range(30):
                    self.wfile.write(b"<!-- padding -->" * 640)  # 10,240 bytes each
            except OSError:
                pass
            return None
        if path == "/feeds/huge-cl.xml":
            return self._send(200, b"<rss>" + b" " * 300_000 + b"</rss>")
        if path in site.feeds:
            return self._send(200, site.feeds[path])
        if path == "/articles/gone.html":
            return self._send(410, b"gone", ctype="text/html")
        if path in site.pages:
            return self._send(200, site.pages[path], ctype="text/html; charset=utf-8")
        return self._send(404, b"not found", ctype="text/html")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # client gave up (timeout, size cap)
        pass


def start_server() -> tuple[Server, Site]:
    server = Server(("127.0.0.1", 0), Handler)
    site = Site()
    site.build(f"http://127.0.0.1:{server.server_address[1]}")
    server.site = site  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, site


@pytest.fixture()
def site():
    server, site = start_server()
    yield site
    server.shutdown()
    server.server_close()


ALL_FEEDS = ["normal", "slow", "etag", "lastmod", "missing", "flaky", "loop", "malformed", "cp1252", "huge", "huge-cl"]


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Two runs on one synthetic site: all feeds with --articles, then the same again later."""
    server, site = start_server()
    out = tmp_path_factory.mktemp("collect") / "raw" / "test"
    urls = [f"{site.base}/feeds/{name}.xml" for name in ALL_FEEDS]
    t0 = time.monotonic()
    first = collect_rss(urls, out, articles=True, now=RUN1, **FAST)
    hits_after_first = Counter(site.hits)
    second = collect_rss(urls, out, articles=True, now=RUN2, **FAST)
    elapsed = time.monotonic() - t0
    yield {"site": site, "out": out, "urls": urls, "first": first, "second": second,
           "hits1": hits_after_first, "elapsed": elapsed}
    server.shutdown()
    server.server_close()


def by_name(report, site):
    return {f.url.rsplit("/", 1)[-1][:-4]: f for f in report.feeds}


# --------------------------------------------------------------------------- pure helpers


def test_feed_id_is_readable_safe_and_unique():
    assert feed_id("https://www.lemonde.fr/international/rss_full.xml") == "lemonde.fr_international_rss_full"
    assert feed_id("https://www.france24.com/fr/europe/rss") == "france24.com_fr_europe_rss"
    assert feed_id("http://127.0.0.1:8000/feeds/a.xml") == "127.0.0.1-8000_feeds_a"
    with_query = feed_id("https://x.fr/arc/rss/?outputType=xml")
    assert with_query.startswith("x.fr_arc_rss-") and len(with_query) == len("x.fr_arc_rss-") + 8
    assert feed_id("https://x.fr/a?b=1") != feed_id("https://x.fr/a?b=2")
    weird = feed_id("https://x.fr/flux été/../<a>|b.xml")
    assert weird == "x.fr_flux_t_a_b" and all(c.isascii() and (c.isalnum() or c in ".,_-") for c in weird)
    long_id = feed_id("https://x.fr/" + "a" * 300)
    assert len(long_id) <= 80 + 9
    # two different URLs with the same readable name get distinct ids in one list
    ids = assign_feed_ids(["https://x.fr/a/b.xml", "https://x.fr/a_b.xml", "https://y.fr/c.xml"])
    assert len(set(ids.values())) == 3 and ids["https://y.fr/c.xml"] == "y.fr_c"


def test_snapshot_relpath_english_months_utc():
    months = [snapshot_relpath(datetime(2022, m, 1, tzinfo=timezone.utc)).split("/")[1] for m in range(1, 13)]
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    from datetime import timedelta

    paris = timezone(timedelta(hours=2))
    assert snapshot_relpath(datetime(2022, 9, 23, 21, 0, 5, tzinfo=paris)) == "2022/Sep/23/19-00-05"
    with pytest.raises(ValueError):
        snapshot_relpath(datetime(2022, 9, 23))


def test_read_feed_list_comments_and_bad_lines(tmp_path):
    path = tmp_path / "feeds.txt"
    path.write_text("# my feeds\n\nhttps://a.fr/rss.xml   # trailing comment\n  ftp://b.fr/x\nhttps://c.fr/flux\nnot a url\n",
                    encoding="utf-8")
    urls, problems = read_feed_list(path)
    assert urls == ["https://a.fr/rss.xml", "https://c.fr/flux"]
    assert len(problems) == 2 and f"{path}:4:" in problems[0] and "ftp://b.fr/x" in problems[0] and f"{path}:6:" in problems[1]


def test_example_feed_list_is_valid():
    urls, problems = read_feed_list(Path(__file__).parents[1] / "data" / "feeds-example.txt")
    assert problems == [] and len(urls) >= 5
    assert all(u.startswith("https://") for u in urls)
    assert len(set(assign_feed_ids(urls).values())) == len(urls)


def test_write_new_file_never_overwrites(tmp_path):
    a = write_new_file(tmp_path / "d" / "f.xml", b"first")
    b = write_new_file(tmp_path / "d" / "f.xml", b"second")
    c = write_new_file(tmp_path / "d" / "f.xml", b"third", rename_if_taken=False)
    assert (a.name, b.name, c) == ("f.xml", "f.2.xml", None)
    assert a.read_bytes() == b"first" and b.read_bytes() == b"second"
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["f.2.xml", "f.xml"]  # no temp file left


def test_manifest_survives_a_truncated_last_line(tmp_path):
    m = Manifest(tmp_path / "manifest.jsonl")
    m.append({"kind": "feed", "url": "https://a.fr/x", "status": 200})
    with open(m.path, "ab") as fh:
        fh.write(b'{"kind": "feed", "url": "https://a.fr/y", "sta')  # a run killed mid-write
    m2 = Manifest(m.path)
    m2.append({"kind": "feed", "url": "https://a.fr/z", "status": 304})
    recs = m2.records()
    assert [r["url"] for r in recs] == ["https://a.fr/x", "https://a.fr/z"]
    assert len(m2.problems) == 1 and ":2:" in m2.problems[0]


def test_feed_item_links_rss_atom_and_recovery():
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="enclosure" href="https://a.fr/img.jpg"/>'
            b'<link href="https://a.fr/1"/></entry><entry><id>https://a.fr/2</id></entry>'
            b"<entry><id>tag:a.fr,2022:3</id></entry></feed>")
    assert feed_item_links(atom) == (["https://a.fr/1", "https://a.fr/2"], None)
    links, warning = feed_item_links(b"<rss><channel><item><link>https://a.fr/1</link></item><item><title>Tron")
    assert links == ["https://a.fr/1"] and warning and "malformed" in warning


# --------------------------------------------------------------------------- the scenario


def test_every_feed_outcome(collected):
    site, first = collected["site"], collected["first"]
    f = by_name(first, site)
    assert {k: v.outcome for k, v in f.items()} == {
        "normal": "saved", "slow": "failed", "etag": "saved", "lastmod": "saved", "missing": "failed",
        "flaky": "saved", "loop": "failed", "malformed": "saved", "cp1252": "saved", "huge": "failed", "huge-cl": "failed",
    }
    assert first.exit_code == 1
    # slow: timed out, retried once (retries=1), then given up
    assert f["slow"].attempts == 2 and "timed out" in f["slow"].error and collected["hits1"]["/feeds/slow.xml"] == 2
    # 404: no retry
    assert f["missing"].status == 404 and f["missing"].attempts == 1 and collected["hits1"]["/feeds/missing.xml"] == 1
    # 500 then 200: retried, saved
    assert f["flaky"].attempts == 2 and f["flaky"].status == 200 and collected["hits1"]["/feeds/flaky.xml"] == 2
    # redirect loop: an error for that feed, not retried
    assert "redirect" in f["loop"].error and f["loop"].attempts == 1
    # size cap, streamed and declared
    assert "max-bytes" in f["huge"].error and "aborted" in f["huge"].error
    assert "max-bytes" in f["huge-cl"].error and "not downloaded" in f["huge-cl"].error
    assert collected["elapsed"] < 10


def test_snapshots_are_bytes_as_received_in_corpus_layout(collected):
    site, out, first = collected["site"], collected["out"], collected["first"]
    run_dir = out / "2022" / "Sep" / "23" / "19-00-00"
    assert first.snapshot == "2022/Sep/23/19-00-00"
    port = site.base.rsplit(":", 1)[1]
    expected = {f"127.0.0.1-{port}_feeds_{n}.xml" for n in ("normal", "etag", "lastmod", "flaky", "malformed", "cp1252")}
    assert {p.name for p in run_dir.iterdir()} == expected  # failed feeds wrote nothing (no partial, no temp)
    for name in ("normal", "etag", "lastmod", "flaky", "malformed", "cp1252"):
        assert (run_dir / f"127.0.0.1-{port}_feeds_{name}.xml").read_bytes() == site.feeds[f"/feeds/{name}.xml"]
    cp = (run_dir / f"127.0.0.1-{port}_feeds_cp1252.xml").read_bytes()
    assert b"\x92" in cp and "l’armée".encode("cp1252") in cp  # not re-encoded to UTF-8
    assert not list(out.rglob("*huge*")) and not list(out.rglob(".*"))


def test_manifest_lines(collected):
    out, site = collected["out"], collected["site"]
    recs = Manifest(out / "manifest.jsonl").records()
    feeds = [r for r in recs if r["kind"] == "feed"]
    assert len(feeds) == 2 * len(ALL_FEEDS)
    for r in feeds:
        assert set(r) >= {"url", "feed_id", "time", "status", "bytes", "etag", "last_modified", "sha256", "path", "error", "attempts"}
        assert (r["path"] is None) != (r["error"] is None) or r["status"] == 304
        if r["path"]:
            data = (out / r["path"]).read_bytes()
            assert r["bytes"] == len(data) and r["sha256"] == hashlib.sha256(data).hexdigest()
    etag1 = next(r for r in feeds if r["url"].endswith("/etag.xml") and r["status"] == 200)
    assert etag1["etag"] == '"v1"' and etag1["time"].endswith("Z")
    # every request carried the collector's User-Agent
    assert {h.get("User-Agent") for _, h, _ in site.log} == {DEFAULT_USER_AGENT}


def test_second_run_conditional_requests(collected):
    site, out, second = collected["site"], collected["out"], collected["second"]
    f = by_name(second, site)
    assert f["etag"].outcome == "not_modified" and f["lastmod"].outcome == "not_modified"
    sent = [h for p, h, _ in site.log if p == "/feeds/etag.xml"]
    assert "If-None-Match" not in sent[0] and sent[1]["If-None-Match"] == '"v1"'
    sent = [h for p, h, _ in site.log if p == "/feeds/lastmod.xml"]
    assert sent[1]["If-Modified-Since"] == "Fri, 23 Sep 2022 13:30:00 GMT"
    run2 = out / "2022" / "Sep" / "24" / "07-05-09"
    names = {p.name.split("_feeds_")[1] for p in run2.iterdir()}
    assert names == {"normal.xml", "flaky.xml", "malformed.xml", "cp1252.xml"}  # no snapshot for a 304
    nm = [r for r in Manifest(out / "manifest.jsonl").records() if r["kind"] == "feed" and r["status"] == 304]
    assert len(nm) == 2 and all(r["path"] is None and r["error"] is None for r in nm)
    assert nm[0]["etag"] == '"v1"' or nm[1]["etag"] == '"v1"'


def test_articles_sidecars_and_robots(collected):
    site, out, first = collected["site"], collected["out"], collected["first"]
    adir = out / "articles"
    base = site.base
    kharkiv = adir / f"{url_key(base + '/articles/kharkiv.html')}.txt"
    expected = extract_main_text((FIX / "article-kharkiv.html").read_bytes(), url=base + "/articles/kharkiv.html")
    assert kharkiv.read_text(encoding="utf-8") == expected + "\n"
    assert "Les démineurs ont commencé" in expected and "mentions légales" not in expected and "S’abonner" not in expected
    meta = json.loads((adir / f"{url_key(base + '/articles/kharkiv.html')}.json").read_text(encoding="utf-8"))
    assert meta["status"] == 200 and meta["chars"] == len(expected) and meta["extractor"].startswith("trafilatura")
    assert (adir / f"{url_key(base + '/articles/odessa.html')}.txt").exists()
    # robots.txt: fetched once per run, the disallowed page never requested, recorded as such
    assert collected["hits1"]["/robots.txt"] == 1 and site.count("/private/secret.html") == 0
    secret = json.loads((adir / f"{url_key(base + '/private/secret.html')}.json").read_text(encoding="utf-8"))
    assert secret["error"] == "disallowed by robots.txt" and not (adir / f"{url_key(base + '/private/secret.html')}.txt").exists()
    # 404 / 410 pages and a page with no main text: a JSON sidecar says why, no .txt
    for page, why in (("missing.html", "HTTP 404"), ("gone.html", "HTTP 410"), ("empty.html", "no main text")):
        key = url_key(f"{base}/articles/{page}")
        assert why in json.loads((adir / f"{key}.json").read_text(encoding="utf-8"))["error"]
        assert not (adir / f"{key}.txt").exists()
    assert first.articles["saved"] == 3 and first.articles["disallowed"] == 1 and first.articles["no_text"] == 1
    assert first.articles["failed"] == 2  # 404 and 410
    # the malformed feed's complete item was read in recovery mode, with a warning
    assert any("malformed" in e for e in first.article_errors)
    # second run: nothing fetched again
    assert collected["second"].articles["saved"] == 0 and site.count("/articles/kharkiv.html") == 1
    assert site.count("/articles/missing.html") == 1


def test_end_to_end_collect_then_ingest(collected, tmp_path):
    """What was collected ingests as the expected corpus (article text where it was fetched)."""
    from analysis.corpus import ingest

    site, out = collected["site"], collected["out"]
    base = site.base
    processed = tmp_path / "processed"
    report = ingest(sources=[out], out=processed, progress=False)
    corpus = __import__("pandas").read_parquet(processed / "corpus.parquet")
    by_url = {u.rsplit("/", 1)[-1]: row for u, row in zip(corpus["url"], corpus.itertuples())}
    assert set(by_url) == {"kharkiv.html", "secret.html", "missing.html", "lastmod-item.html", "odessa.html",
                           "empty.html", "gone.html"}
    kharkiv = extract_main_text((FIX / "article-kharkiv.html").read_bytes(), url=base + "/articles/kharkiv.html")
    assert by_url["kharkiv.html"].text.strip() == kharkiv.strip()
    assert by_url["lastmod-item.html"].text.strip().startswith("Odessa : le port rouvre")
    assert by_url["secret.html"].text == "Un document interne détaille les besoins en munitions de l'armée."
    assert by_url["empty.html"].title == "Kyiv : l’armée ukrainienne résiste à Bakhmout"  # cp1252 decoded
    assert by_url["gone.html"].text.startswith("La ville portuaire reste sous contrôle russe")
    assert set(corpus["source"]) == {"Journal Test"}
    assert report.articles_used == 3  # kharkiv, odessa, lastmod-item
    # 2 runs: 6 + 4 snapshots read; the second run's listings are duplicates of the first
    assert report.files_total == 10 and report.kept == 7 and report.duplicates.get("url", 0) == 5
    # the malformed snapshots: the complete item kept, the truncated one rejected, the file reported
    assert {Path(p["file"]).name for p in report.files_partial} >= {f"{feed_id(base + '/feeds/malformed.xml')}.xml"}
    assert report.reconciles


# --------------------------------------------------------------------------- politeness, CLI, edge cases


def test_per_host_delay_between_requests(site, tmp_path):
    urls = [f"{site.base}/feeds/normal.xml", f"{site.base}/feeds/flaky.xml"]
    report = collect_rss(urls, tmp_path / "out", now=RUN1, **(FAST | {"delay": 0.3}))
    assert report.exit_code == 0  # flaky: 500, pause, then 200
    times = [t for _, _, t in site.log]
    assert len(times) == 3 and all(b - a >= 0.29 for a, b in zip(times, times[1:]))


def test_no_overwrite_when_a_run_reuses_a_second(site, tmp_path):
    url = f"{site.base}/feeds/normal.xml"
    for _ in range(2):
        assert collect_rss([url], tmp_path / "o", now=RUN1, **FAST).exit_code == 0
    files = sorted(p.name for p in (tmp_path / "o" / "2022" / "Sep" / "23" / "19-00-00").iterdir())
    stem = feed_id(url)
    assert files == [f"{stem}.2.xml", f"{stem}.xml"]


def test_validators_dropped_when_snapshot_deleted(site, tmp_path):
    url = f"{site.base}/feeds/etag.xml"
    first = collect_rss([url], tmp_path / "o", now=RUN1, **FAST)
    (tmp_path / "o" / first.feeds[0].path).unlink()
    second = collect_rss([url], tmp_path / "o", now=RUN2, **FAST)
    assert second.feeds[0].outcome == "saved"


def test_robots_unreachable_means_retry_later(site, tmp_path):
    site.robots_status = 503
    report = collect_rss([f"{site.base}/feeds/flaky.xml"], tmp_path / "o", articles=True, now=RUN1, **FAST)
    key = url_key(f"{site.base}/articles/odessa.html")
    assert report.articles["failed"] == 1 and site.count("/articles/odessa.html") == 0
    assert not (tmp_path / "o" / "articles" / f"{key}.json").exists()  # no sidecar: tried again next run
    site.robots_status = 200
    again = collect_rss([f"{site.base}/feeds/flaky.xml"], tmp_path / "o", articles=True, now=RUN2, **FAST)
    assert again.articles["saved"] == 1 and (tmp_path / "o" / "articles" / f"{key}.txt").exists()


def test_backoff_retry_after_and_no_retry_on_4xx(site):
    slept: list[float] = []
    fetcher = PoliteFetcher(timeout=0.5, retries=3, backoff=0.01, delay=0.0, sleep=slept.append)
    res = fetcher.get(f"{site.base}/feeds/missing.xml")
    assert res.status == 404 and res.attempts == 1 and slept == []
    res = fetcher.get(f"{site.base}/feeds/loop.xml")
    assert res.attempts == 1 and "redirect" in res.error and slept == []
    # 503 with Retry-After 0.2: 4 attempts, pauses max(backoff * 2**k, 0.2)
    res = fetcher.get(f"{site.base}/feeds/down.xml")
    assert res.status == 503 and res.attempts == 4 and not res.ok and "503" in res.error
    assert slept == pytest.approx([0.2, 0.2, 0.2])
    slept.clear()
    fetcher = PoliteFetcher(timeout=0.5, retries=2, backoff=1.5, delay=0.0, sleep=slept.append)
    res = fetcher.get(f"{site.base}/feeds/down.xml", {"X-Test-Retry-After": "0"})
    assert slept == pytest.approx([1.5, 3.0])  # exponential backoff
    res = fetcher.get(f"{site.base}/feeds/down.xml", {"X-Test-Retry-After": "99999"})
    assert slept[2:] == pytest.approx([120.0, 120.0])  # Retry-After capped
    assert site.count("/feeds/down.xml") == 4 + 3 + 3


def test_gzip_is_decoded_and_the_cap_applies_to_decoded_bytes(site, tmp_path):
    urls = [f"{site.base}/feeds/gzip.xml", f"{site.base}/feeds/bomb.xml"]
    report = collect_rss(urls, tmp_path / "o", now=RUN1, **FAST)
    gz, bomb = report.feeds
    assert gz.outcome == "saved" and (tmp_path / "o" / gz.path).read_bytes() == site.feeds["/feeds/normal.xml"]
    assert bomb.outcome == "failed" and "max-bytes" in bomb.error  # 5 MB of spaces, ~5 kB compressed


def test_total_time_limit_covers_a_trickling_body(site):
    fetcher = PoliteFetcher(timeout=0.5, retries=0, delay=0.0)
    t0 = time.monotonic()
    res = fetcher.get(f"{site.base}/feeds/trickle.xml")
    assert "timed out after 0.5 s while downloading" in res.error and res.retryable and res.body is None
    assert time.monotonic() - t0 < 1.2


def test_cli_exit_codes_and_feed_file(site, tmp_path, capsys):
    feeds = tmp_path / "guerre.txt"
    feeds.write_text(f"# test feeds\n{site.base}/feeds/normal.xml\n{site.base}/feeds/missing.xml  # 404\n", encoding="utf-8")
    common = ["--delay", "0", "--timeout", "0.5", "--retries", "0"]
    out = tmp_path / "raw" / "guerre"
    assert cli.main(["collect", "rss", "--feeds", str(feeds), "--out", str(out), *common]) == 1
    err = capsys.readouterr().err
    assert "saved" in err and "FAILED" in err and "404" in err and "1 failed" in err
    assert cli.main(["collect", "rss", f"{site.base}/feeds/normal.xml", "--out", str(out), *common]) == 0
    assert cli.main(["collect", "rss", "--out", str(out)]) == 2
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{site.base}/feeds/normal.xml\nfile:///etc/passwd\n", encoding="utf-8")
    assert cli.main(["collect", "rss", "--feeds", str(bad), "--out", str(out), *common]) == 1
    assert "bad.txt:2: not an http(s) URL" in capsys.readouterr().err
    assert cli.main(["collect", "rss", "--feeds", str(tmp_path / "nope.txt"), "--out", str(out)]) == 2
    assert cli.main(["collect", "rss", f"{site.base}/feeds/normal.xml", "--timeout", "0", "--out", str(out)]) == 2


if __name__ == "__main__":  # serve the synthetic site by hand (README demo): python tests/test_collect.py [PORT]
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    httpd = Server(("127.0.0.1", port), Handler)
    httpd.site = Site()  # type: ignore[attr-defined]
    httpd.site.build(f"http://127.0.0.1:{port}")  # type: ignore[attr-defined]
    print(f"synthetic test site on http://127.0.0.1:{port}/ (Ctrl-C to stop)", flush=True)
    httpd.serve_forever()

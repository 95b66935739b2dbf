"""PDF rendering with WeasyPrint (DESIGN.md §7): A4, a CJK font embedded, no remote fetches.

- Fonts and page rules live in ``static/css/pdf.css`` (never in a Jinja ``<style>``: autoescaping would
  turn ``"Noto Serif CJK SC"`` into ``&#34;…`` and WeasyPrint would silently pick another font). That
  sheet is always applied; ``font-family`` is set on ``html`` so the page header and footer use it too.
- The URL fetcher serves only the app's own static files (``/static/…`` or a path inside the static
  folder) and ``data:`` URIs (the QR code); ``http(s)://``, ``file://`` elsewhere and everything else is
  refused, so a user-typed value can never make the renderer fetch anything.
- Rendering is bounded: the HTML is at most ``MAX_HTML_CHARS`` and the laid-out document at most
  ``MAX_PAGES`` pages (checked after layout, before the costly font subsetting and writing), and nothing
  waits on the network. A hard wall-clock limit is the job runner's: RQ kills a job after
  ``job_timeout`` (``RENDER_TIMEOUT``); ``render_pdf(timeout=…)`` also arms a SIGALRM timer when called
  from a main thread (a CLI or an RQ work-horse). The in-process runner cannot kill a thread, so it
  relies on the size and page limits.
- Every PDF is PDF/A-2b (``PDF_VARIANT``: XMP ``pdfaid:part=2 conformance=B``, fonts embedded, the sRGB output
  intent) with a title (the HTML ``<title>``), an author (``<meta name="author">``, else ``BUREAU_NAME``) and a
  creation date (``<meta name="dcterms.created">``, else the time of rendering), and is signed with the bureau's
  certificate when one is configured (``core.signing``): what is returned, stored and hashed is the signed file.
  pyHanko's incremental update writes ``pyHanko <version>`` as the XMP ``pdf:Producer`` and appends it to an
  existing Info ``/Producer``; PDF/A wants the two equal, so a PDF to be signed leaves ``/Producer`` out of its
  Info dictionary and pyHanko writes the same value in both. (WeasyPrint 70 leaves its sRGB output-intent
  profile file open until garbage collection: the ``ResourceWarning`` is ignored in setup.cfg for the tests.)
- ``gc.collect()`` after each document keeps a worker's memory low (Noto CJK faces are large).
- ``subsetter()`` says which font subsetter WeasyPrint will use: ``"harfbuzz"`` (fast, needs
  ``libharfbuzz-subset0``) or ``"fonttools"`` (10–40× slower).
"""
import gc
import logging
import mimetypes
import signal
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, has_app_context

from grantportal.config import ROOT
from grantportal.core import signing
from grantportal.core.metrics import PDF_RENDER

MAX_HTML_CHARS = 2_000_000
MAX_PAGES = 60
PDF_CSS = "css/pdf.css"
NOTDEF = ".notdef glyph rendered"
PDF_VARIANT = "pdf/a-2b"
log = logging.getLogger("grantportal.pdf")


class PdfError(Exception):
    """Rendering refused or failed; the message is safe to show (Chinese, no internals)."""


class PdfTimeout(PdfError):
    pass


def static_root():

    folder = current_app.static_folder if has_app_context() else None
    return Path(folder or ROOT / "static").resolve()


def subsetter():
    """``"harfbuzz"`` when WeasyPrint can subset fonts with HarfBuzz, else ``"fonttools"``."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset  # noqa: PLC0415 (deferred: importing WeasyPrint costs ~0.6 s)
    return "harfbuzz" if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0) else "fonttools"


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415 (deferred: importing WeasyPrint costs ~0.6 s)
    class StaticOnlyFetcher(URLFetcher):
        """Serves ``data:`` URIs and files inside the static folder; refuses everything else."""

        def __init__(self, root):
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self.root = Path(root).resolve()

        def local_path(self, url):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                return None
            path = Path(unquote(parts.path))
            if parts.path.startswith("/static/") and not path.exists():
                path = self.root / unquote(parts.path)[len("/static/"):]
            try:
                path = path.resolve()
                path.relative_to(self.root)
            except (OSError, ValueError):
                return None
            return path if path.is_file() else None

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = self.local_path(url)
            if path is None:
                log.warning("pdf: refused to fetch %s", url[:200])
                raise ValueError("only the application's static files may be used in a PDF")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

    return StaticOnlyFetcher


def url_fetcher(root=None):
    return _fetcher_class()(root or static_root())


@contextmanager
def weasyprint_warnings():
    """Collect the ``weasyprint`` logger's warnings (e.g. ``.notdef glyph rendered``: a character no font
    has, printed as an empty box — ``pdftotext`` cannot see that) into the yielded list."""
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def missing_glyphs(messages):
    return [m for m in messages if NOTDEF in m]


@contextmanager
def _deadline(seconds):
    usable = seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise PdfTimeout("文书生成超时，请稍后重试。")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _metadata(rendered):
    """Author and creation date where the HTML gave none (title: the HTML's ``<title>``)."""
    meta = rendered.metadata
    if not meta.authors:
        bureau = current_app.config.get("BUREAU_NAME") if has_app_context() else None
        meta.authors = [bureau or "市民政局"]
    if not meta.created:
        meta.created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _without_producer(document, pdf):
    """A WeasyPrint finisher: no Info ``/Producer``, so that pyHanko writes the same one in the Info dictionary and
    the XMP (module docstring)."""
    pdf.info.pop("Producer", None)


def render_pdf(html, base_url=None, timeout=None):
    """Render ``html`` (already escaped by Jinja) to PDF/A-2b bytes, with ``static/css/pdf.css`` applied, signed
    with the bureau's certificate when one is configured. Relative URLs resolve against the static
    folder unless ``base_url`` is given."""
    import weasyprint  # noqa: PLC0415 (deferred: importing WeasyPrint costs ~0.6 s)
    if len(html) > MAX_HTML_CHARS:
        raise PdfError("文书内容过长，无法生成。")
    root = static_root()
    fetcher = url_fetcher(root)
    try:
        with _deadline(timeout), PDF_RENDER.time():
            document = weasyprint.HTML(string=html, base_url=base_url or root.as_uri() + "/",
                                       url_fetcher=fetcher)
            sheet = weasyprint.CSS(filename=str(root / PDF_CSS), url_fetcher=fetcher)
            rendered = document.render(stylesheets=[sheet])
            if len(rendered.pages) > MAX_PAGES:
                raise PdfError(f"文书超过{MAX_PAGES}页，无法生成。")
            _metadata(rendered)
            signed = has_app_context() and signing.configured()
            data = rendered.write_pdf(pdf_variant=PDF_VARIANT, finisher=_without_producer if signed else None)
            return signing.sign_pdf(data) if signed else data
    except signing.SigningError as e:  # an unreadable key or certificate: the document waits for a retry
        raise PdfError(str(e)) from e
    finally:
        gc.collect()

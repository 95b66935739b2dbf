"""The PDF renderer: only the app's own static files can be fetched; missing glyphs are detectable;
the fast font subsetter is the one in use; page numbers and size limits."""
import pytest

from grantportal.core import pdf

pytestmark = pytest.mark.nodb


def test_the_fetcher_serves_static_files_and_refuses_everything_else(tmp_path):
    fetch = pdf.url_fetcher()
    root = pdf.static_root()
    assert fetch((root / "css" / "pdf.css").as_uri()).read().startswith(b"/*")
    assert fetch("file:///static/css/pdf.css").read().startswith(b"/*")  # "/static/…" maps to the folder
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    for url in ("http://127.0.0.1:9/x.png", "https://example.com/a.css", secret.as_uri(), "file:///etc/passwd",
                (root / ".." / "grantportal" / "config.py").as_uri(), "ftp://example.com/x",
                "file://evil.example.com/static/css/pdf.css"):
        with pytest.raises(ValueError):
            fetch(url)


def test_a_remote_image_in_a_document_is_not_fetched(monkeypatch):
    import urllib.request

    def no_network(*a, **kw):
        raise AssertionError("the renderer tried the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    with pdf.weasyprint_warnings() as warnings:
        data = pdf.render_pdf('<p>图片<img src="http://203.0.113.1/track.png"></p>')
    assert data.startswith(b"%PDF-")
    assert any("track.png" in w for w in warnings)


def test_characters_no_font_has_are_reported_as_notdef_warnings():
    with pdf.weasyprint_warnings() as warnings:
        pdf.render_pdf("<p>社会组织 \U000f0000</p>")  # a private-use character: no font has it
    assert pdf.missing_glyphs(warnings)
    with pdf.weasyprint_warnings() as warnings:
        pdf.render_pdf("<p>社会组织 人民币伍万元整 ¥50,000.00</p>")
    assert pdf.missing_glyphs(warnings) == []


def test_the_harfbuzz_subsetter_is_in_use():
    assert pdf.subsetter() == "harfbuzz"


def test_pages_are_numbered_and_oversized_input_is_refused(tmp_path):
    import subprocess

    data = pdf.render_pdf("".join(f"<p>第{i}段：社会组织公益创投项目。</p>" for i in range(120)))
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"],  # noqa: S603, S607 (poppler, fixed args)
                          capture_output=True, text=True, check=True).stdout
    pages = text.count("\f")
    flat = "".join(text.split())
    assert pages >= 2 and f"第1页共{pages}页" in flat and f"第{pages}页共{pages}页" in flat
    with pytest.raises(pdf.PdfError):
        pdf.render_pdf("x" * (pdf.MAX_HTML_CHARS + 1))

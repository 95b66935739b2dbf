"""Helpers for browser tests."""
import re
from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT

from tests.factories import PASSWORD

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def shot(page, name, full_page=True):
    """Save a screenshot to tests/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def html(page):
    """The page's HTML once the page a click or a submit led to has loaded: page.content() right after a click can
    catch the new document before it is parsed, and read an empty page."""
    page.wait_for_load_state()
    return page.content()


def fits_phone(page, width=375):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll}px wide on a {width}px screen"


def sign_in(page, username, password=PASSWORD):
    """Sign in through the login form (the factories' password by default)."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def citizen_sign_in(page, phone="13912345678"):
    """On the 公众登录 page a visitor was sent to: the phone, the code the demo shows on the page (SMS_SHOW_CODE),
    the consent, 登录 — the site then returns to where the visitor was going."""
    page.wait_for_url("**/citizen/login?next=*")
    page.fill("#phone", phone)
    page.click("main button:has-text('获取验证码')")
    code = re.search(r"(\d{6})", page.inner_text("#demo-code")).group(1)
    page.fill("#code", code)
    page.check("#consent")
    page.click("main button:has-text('登录')")


def axe_violations(page):
    """axe-core's violations of the WCAG A/AA rules on the page, one readable line per failing element."""
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {' '.join(n['target'][0] for n in v['nodes'][:1])} "
            f"— {n['failureSummary'].splitlines()[-1].strip()}"
            for v in result["violations"] for n in v["nodes"]]

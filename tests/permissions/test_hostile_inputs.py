"""Generated from ``app.url_map`` and the permission matrix (issue 11, DESIGN.md §6): hostile input never
reaches a 500, on SQLite and PostgreSQL.

- every route, GET and POST, anonymous and signed in: an id of 2^31 (past PostgreSQL's integer) and 2^63
  (past SQLite's) is a 404 like any unknown id, and the largest id that fits is a plain 404 too;
- every route with its real objects: a NUL byte in each query parameter and in each field of each form (every
  field the page shows, one at a time, the others as the matrix sends them), and numbers that break a naive
  ``int()`` ("²", "４２", 20 nines) in every parameter and every field at once, are refused or ignored, never a
  500, and nothing with a control character is ever stored.

One shared world (tests/permissions/world.py) serves all routes of a domain; the requests run in turn on it
(the world is built again only for a row whose objects earlier requests changed past recognition)."""
import importlib
import pkgutil
import re
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask import url_for

import tests.permissions as package
from grantportal.core.db import db
from grantportal.core.inputs import has_control
from tests.conftest import _empty_postgresql
from tests.factories import PASSWORD
from tests.permissions.spec import ROLES
from tests.permissions.test_matrix import _url, sign_in
from tests.permissions.world import restore_world

# the matrix's rows by the domain file that lists them: one world per domain, and xdist spreads the domains
DOMAINS = {}
for _info in pkgutil.iter_modules(package.__path__):
    _rows = getattr(importlib.import_module(f"tests.permissions.{_info.name}"), "ROUTES", [])
    if _rows:
        DOMAINS[_info.name] = _rows

OUT_OF_RANGE = (2**31, 2**63, 2**64)
LARGEST_ID = 2**31 - 1
NUL = "\x00"
# besides NUL, what else breaks a naive int() or a database integer: a superscript digit ("²".isdigit() is
# True), full-width digits, and numbers past 2^63
ODD_NUMBERS = ("²", "４２", "9" * 20, "-1")
QUERY_NAMES = ("q", "page", "status", "level", "screening", "year", "overdue", "role", "next", "kind", "call",
               "action", "since", "until", "user", "org", "fmt", "before", "actor", "object_type", "object_id",
               "request_id", "grade", "field", "order", "sort")
FIELD_NAME = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', re.S)
SKIPPED_FIELDS = ("csrf_token",)


PART = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _urls_with_ids(app, ident):
    """(rule, method, path) for every rule with an id, ``ident`` as each id; other parts get a harmless
    value (``any(xlsx, csv)`` its first choice, text a word). Built by hand: url_for applies the converter."""
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue

        def part(m):
            converter, args = m.group(1), m.group(2)
            if converter == "int":
                return str(ident)
            if converter == "any":
                return args.split(",")[0].strip().strip("'\"")
            return "abc"

        path = PART.sub(part, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, path


def _send(client, method, url, data=None):
    """One request; a crash is reported as a 500 (TESTING lets exceptions through to the test)."""
    try:
        resp = client.open(url, method=method, data=data or {})
    except Exception as e:  # noqa: BLE001  (the finding is the exception itself)
        db.session.rollback()
        return 500, f"{type(e).__name__}: {e}"[:300]
    resp.close()
    return resp.status_code, ""


def _as(client, world, role):
    client.delete_cookie("gp_session")
    if role != "anonymous":
        sign_in(client, world.users[role])


def test_an_out_of_range_id_is_a_404_on_every_route(app, client, world):
    failures, checked = [], 0
    for role in ("anonymous", "member", "officer"):
        _as(client, world, role)
        for ident in (*OUT_OF_RANGE, LARGEST_ID):
            for _rule, method, path in _urls_with_ids(app, ident):
                status, error = _send(client, method, path)
                checked += 1
                if status != 404 and (ident in OUT_OF_RANGE or status >= 500):
                    failures.append(f"{role} {method} {path} → {status} {error}")
    assert checked > 100
    assert not failures, "\n".join(failures)


def _suitable_role(row):
    return next((r for r in ROLES if r != "anonymous" and row.expect[r].allowed), "officer")


def _page_fields(client, url):
    """The names of the fields the page at ``url`` shows (what a person could type into)."""
    try:
        resp = client.get(url)
    except Exception:  # noqa: BLE001  (reported by the GET rows themselves)
        db.session.rollback()
        return []
    html = resp.status_code == 200 and resp.mimetype == "text/html"
    body = resp.get_data(as_text=True) if html else ""
    resp.close()
    return [n for n in dict.fromkeys(FIELD_NAME.findall(body)) if n not in SKIPPED_FIELDS]


def _fresh_world(app, snapshot):
    """The world again, for a row whose objects the earlier rows' requests changed past recognition."""
    db.session.remove()
    if db.engine.dialect.name == "postgresql":
        _empty_postgresql(app)
    return restore_world(snapshot)


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_a_nul_byte_in_any_field_or_query_parameter_is_never_a_500_nor_stored(app, client, world,
                                                                             world_snapshot, domain):
    failures = []
    for row in DOMAINS[domain]:
        try:
            url = _url(app, row, world)
        except Exception:  # noqa: BLE001  (the row's extra objects clash with what earlier rows did)
            world = _fresh_world(app, world_snapshot)
            url = _url(app, row, world)
        for role in ("anonymous", _suitable_role(row)):
            _as(client, world, role)
            if row.method == "GET":
                names = list(dict.fromkeys([*QUERY_NAMES, *_page_fields(client, url)]))
                for value in (f"1{NUL}", *ODD_NUMBERS):
                    query = urlencode({name: value for name in names})
                    status, error = _send(client, "GET", f"{url}?{query}")
                    if status >= 500:
                        failures.append(f"{role} GET {url}?<{value!r} in every parameter> → {status} {error}")
                continue
            base = {k: v for k, v in (row.data(world) if row.data else {}).items() if isinstance(v, str)}
            names = list(dict.fromkeys([*base, *_page_fields(client, url)]))
            for name in names or ["_none"]:
                value = base.get(name, "1") + NUL
                status, error = _send(client, "POST", url, {**base, name: value})
                if status >= 500:
                    failures.append(f"{role} POST {url} with {value!r} in {name} → {status} {error}")
            for value in ODD_NUMBERS:  # every field at once: forms check every field, so each one is parsed
                status, error = _send(client, "POST", url, {**base, **dict.fromkeys(names, value)})
                if status >= 500:
                    failures.append(f"{role} POST {url} with {value!r} in every field → {status} {error}")
    assert not failures, "\n".join(failures)
    stored = []
    for table in db.metadata.sorted_tables:
        texts = [c for c in table.columns if isinstance(c.type, sa.String)]
        for row in db.session.execute(sa.select(*texts)) if texts else ():
            stored += [f"{table.name}.{c.name}" for c, v in zip(texts, row) if has_control(v, multiline=True)]
    assert not stored, f"control characters stored in {sorted(set(stored))}"


def test_a_next_with_a_line_break_or_another_site_is_ignored_after_sign_in(app, client, world):
    for target in ("/calls\r\nSet-Cookie: x=1", "/calls\x00", "//evil.example/", "/\t/evil.example/",
                   "https://evil.example/"):
        client.delete_cookie("gp_session")
        with app.test_request_context():
            login = url_for("accounts.login", next=target)
        resp = client.post(login, data={"username": world.officer.username, "password": PASSWORD})
        assert resp.status_code == 302, target
        location = resp.headers["Location"]
        assert "evil" not in location and "\n" not in location and "Set-Cookie" not in location, target

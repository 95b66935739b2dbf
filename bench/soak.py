"""A soak run (issue 15): gunicorn on PostgreSQL at national scale, driven for ten minutes by public visitors and
signed-in users at once, to show that the site holds its pace, makes no errors and does not grow its workers'
memory over time.

    .venv/bin/python bench/soak.py [--database-url URL] [--minutes 10] [--workers 2] [--clients 8]
        [--signed-in 2] [--redis-url redis://127.0.0.1:6379/14] [--memory-bound 1.25]

The database is one ``bench/public_pages.py`` built (default: its PostgreSQL database ``gp_bench_pub``, 1,000,000
organizations and applications, 5,000,000 scores, 100,000 contracts); the run migrates it to the latest version
and adds, once, what the signed-in users need: a project officer with a TOTP secret, a member of the
organization with the most applications, and an open call with that organization's draft application.

gunicorn runs from ``deploy/gunicorn.conf.py`` as in production (``bench/soak_app.py``: the production entry
point plus the floor route), with Redis for rate limits and sessions in the database. ``--clients`` threads
send requests back to back, each over its own keep-alive connection:
- ``--signed-in`` of them are signed in (they alternate: a project officer, who signs in with password and
  TOTP code, and the organization's member); each picks, at random, a page of its role or a write — the member
  saves the draft application (the form as the browser sends it) or marks the inbox read;
- the others are public visitors picking, at random, one of the pages ``bench/public_pages.py`` measures
  (lists, searches, filters, detail pages, results, statistics, open data, feed, sitemap, /verify).

First the floor — the bare 50-row table — is driven the same way for ``--floor-seconds``; then a warm-up minute
(not counted) fills the workers' caches; then the soak. Every 30 s a line: requests per second, p50 and p99 of
that interval, errors so far, each worker's resident memory. At the end: throughput (and the floor's), p50/p99
per kind of request, errors (5xx, connection failures; 4xx other than the expected are listed separately), and
each worker's memory at the start and the end of the soak, against the bound: end ≤ start × ``--memory-bound``.
Nothing is asserted; the figures are printed.
"""
import argparse
import html.parser
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import pyotp  # noqa: E402
import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from public_pages import pages, targets  # noqa: E402

from grantportal import create_app  # noqa: E402
from grantportal.core.db import db  # noqa: E402

SECRET = "soak-run-" + "s" * 56
OFFICER, MEMBER = "soak-officer", "soak-member"
PASSWORD = "Soak-run-2026!"
TOTP_SECRET = "JBSWY3DPEHPK3PXPSOAKRUN2"


# --- set-up: the signed-in users and their objects, once per database ------------------------------------------

def prepare(url, t):
    """The officer, the member of the organization with the most applications, and an open call with the
    member's draft application (made with the tests' factories, which commit). Returns the draft's id and the
    open call's id."""
    from flask_migrate import upgrade

    from grantportal.accounts.models import User
    from grantportal.accounts.passwords import hash_password
    from grantportal.applications.models import Application
    from grantportal.orgs.models import Organization
    from tests import factories as f

    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                      "INSTANCE_PATH": tempfile.mkdtemp(prefix="gp-soak-")})
    with app.app_context():
        upgrade()
        member = db.session.scalar(sa.select(User).where(User.username == MEMBER))
        if member is None:
            f.UserFactory(officer=True, username=OFFICER, name="浸泡测试官员", totp_secret=TOTP_SECRET,
                          password_hash=hash_password(PASSWORD))
            org = db.session.get(Organization, t["org"])
            member = f.member_of(org, username=MEMBER, name="浸泡测试机构成员",
                                 password_hash=hash_password(PASSWORD))
            call = f.CallFactory(name="浸泡测试征集", year=2026, code="SOAK")
            f.ApplicationFactory(call=call, org=org, created_by=member, title="浸泡测试长者助餐计划")
        draft = db.session.scalar(sa.select(Application).where(Application.title == "浸泡测试长者助餐计划"))
        return draft.id, draft.call_id


# --- the server ------------------------------------------------------------------------------------------------

class Server:
    """gunicorn with deploy/'s settings on a free port, serving bench/soak_app.py."""

    def __init__(self, url, redis_url, workers, folder):
        self.port = _free_port()
        self.log = folder / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GRANTPORTAL_", "PROMETHEUS_"))}
        env.update({
            "DATABASE_URL": url, "REDIS_URL": redis_url, "GRANTPORTAL_SECRET_KEY": SECRET,
            "GRANTPORTAL_STORAGE_DIR": str(folder / "files"), "GRANTPORTAL_TOTP": "1",
            "GRANTPORTAL_SECURE_COOKIES": "0", "GRANTPORTAL_PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}",
            "GRANTPORTAL_LOG_FORMAT": "json", "GRANTPORTAL_PUBLIC_CHECK_SECONDS": str(24 * 3600),
            "GRANTPORTAL_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers),
            "GRANTPORTAL_LOG_LEVEL": "WARNING", "GRANTPORTAL_TRUSTED_PROXIES": "1",
        })
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "deploy/gunicorn.conf.py"),
                 "--no-control-socket", "--pythonpath", str(BENCH), "soak_app:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(self.base + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gunicorn did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)

    def workers(self):
        """The worker processes' ids (the master's children)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sorted(int(c) for c in children)

    def memory(self):
        """Resident memory of each worker in MiB, by process id."""
        out = {}
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            rss = re.search(r"VmRSS:\s+(\d+) kB", status)
            out[pid] = int(rss.group(1)) / 1024 if rss else 0.0
        return out

    def stop(self):
        self.process.terminate()
        self.process.wait(30)


def _free_port():
    import socket  # noqa: PLC0415 (only here)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- clients ---------------------------------------------------------------------------------------------------

class FormFields(html.parser.HTMLParser):
    """The fields of the first POST form on a page, as a browser would send them (text inputs, checked boxes,
    selected options, text areas; not files nor buttons)."""

    def __init__(self):
        super().__init__()
        self.fields, self.in_form, self.done, self.textarea, self.select = [], False, False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("method") or "").lower() == "post" and "action" not in a:
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("file", "submit", "button", "image"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def _token(text):
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
    return found.group(1) if found else ""


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []  # (finished at, kind, label, seconds, status)
        self.errors = []
        self.counting = False

    def add(self, kind, label, seconds, status):
        with self.lock:
            if self.counting:
                self.rows.append((time.monotonic(), kind, label, seconds, status))
                if not isinstance(status, int) or status >= 500:
                    self.errors.append((label, status))


class Visitor:
    """One client: its own keep-alive connection and cookies, signed in once (a TOTP code is single-use, so a
    signed-in client keeps its session from the warm-up through the soak). Public visitors come from many
    addresses, as nginx passes them on (X-Forwarded-For, GRANTPORTAL_TRUSTED_PROXIES=1); a signed-in user from
    one."""

    def __init__(self, base, choices, seed, kind="public", sign_in=None):
        self.base, self.choices, self.kind = base, choices, kind
        self.random = random.Random(seed)  # noqa: S311 (a bench's mix, not a secret)
        self.http = requests.Session()
        self.address = f"10.{seed % 250}.{seed // 250 % 250}.7"
        self.http.headers["X-Forwarded-For"] = self.address
        if sign_in:
            sign_in(self.http, base)

    def run(self, results, stop):
        while not stop.is_set():
            label, action = self.random.choice(self.choices)
            if self.kind == "public":
                self.http.headers["X-Forwarded-For"] = ".".join(str(self.random.randrange(1, 250)) for _ in range(4))
            start = time.perf_counter()
            try:
                status = action(self.http, self.base)
            except requests.RequestException as e:
                status = type(e).__name__
            results.add(self.kind, label, time.perf_counter() - start, status)


def get(path, expect=(200,)):
    def action(http, base):
        resp = http.get(base + path, timeout=120, allow_redirects=False)
        resp.content  # noqa: B018 (read the whole body, streamed downloads included)
        return resp.status_code if resp.status_code not in expect else 200
    return action


def sign_in_officer(http, base):
    resp = http.post(base + "/login", data={"csrf_token": _token(http.get(base + "/login").text),
                                            "username": OFFICER, "password": PASSWORD}, allow_redirects=False)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/code"), resp.status_code
    page = http.get(base + "/login/code").text
    resp = http.post(base + "/login/code", data={"csrf_token": _token(page), "code": pyotp.TOTP(TOTP_SECRET).now()},
                     allow_redirects=False)
    assert resp.status_code == 302, resp.text[:300]


def sign_in_member(http, base):
    resp = http.post(base + "/login", data={"csrf_token": _token(http.get(base + "/login").text),
                                            "username": MEMBER, "password": PASSWORD}, allow_redirects=False)
    assert resp.status_code == 302, resp.status_code


def save_draft(app_id):
    """The member opens the draft and saves it as it is: the form's fields as the browser sends them."""
    def action(http, base):
        url = f"{base}/applications/{app_id}/edit"
        page = http.get(url, timeout=120)
        if page.status_code != 200:
            return page.status_code
        form = FormFields()
        form.feed(page.text)
        resp = http.post(url, data=[*form.fields, ("save", "保存")], timeout=120, allow_redirects=False)
        return 200 if resp.status_code == 302 else resp.status_code
    return action


def read_all():
    def action(http, base):
        page = http.get(base + "/inbox", timeout=120)
        resp = http.post(base + "/inbox/read-all", data={"csrf_token": _token(page.text)}, timeout=120,
                         allow_redirects=False)
        return 200 if page.status_code == 200 and resp.status_code == 302 else resp.status_code
    return action


def officer_choices(t, open_call):
    c = t["call"]
    return [("officer /manage/", get("/manage/")),
            ("officer /inbox", get("/inbox")),
            ("officer call applications", get(f"/manage/calls/{c}/applications")),
            ("officer call applications?page=50", get(f"/manage/calls/{c}/applications?page=50")),
            ("officer open call applications", get(f"/manage/calls/{open_call}/applications")),
            ("officer /manage/calls/", get("/manage/calls/"))]


def member_choices(draft):
    return [("member /applications/", get("/applications/")),
            ("member application", get(f"/applications/{draft}")),
            ("member /my/projects", get("/my/projects")),
            ("member /inbox", get("/inbox")),
            ("member save draft (write)", save_draft(draft)),
            ("member inbox read-all (write)", read_all())]


def public_choices(t):
    chosen = []
    for label, method, path, _goal, _form in pages(t):
        if method == "GET" and "uncached" not in label:
            chosen.append((label, get(path)))
    return chosen


# --- the run ---------------------------------------------------------------------------------------------------

def drive(visitors, results, seconds, report_every=30, server=None):
    """Let ``visitors`` send requests back to back for ``seconds``, printing a line every ``report_every``
    seconds."""
    stop = threading.Event()
    threads = [threading.Thread(target=v.run, args=(results, stop), daemon=True) for v in visitors]
    for thread in threads:
        thread.start()
    started = last = time.monotonic()
    while (left := seconds - (time.monotonic() - started)) > 0:
        time.sleep(min(report_every or left, left))
        now = time.monotonic()
        if report_every and server is not None:
            with results.lock:
                window = [r[3] for r in results.rows if r[0] > last]
                errors = len(results.errors)
            memory = " ".join(f"{m:.0f}" for m in server.memory().values())
            print(f"  {now - started:5.0f} s  {len(window) / (now - last):7.1f} req/s  p50 {_pct(window, 50):6.3f} s"
                  f"  p99 {_pct(window, 99):6.3f} s  errors {errors}  workers' RSS MiB: {memory}"
                  f"  load {os.getloadavg()[0]:.1f}", flush=True)
        last = now
    stop.set()
    for thread in threads:
        thread.join(150)


def _pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/gp_bench_pub")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--signed-in", type=int, default=2)
    parser.add_argument("--floor-seconds", type=float, default=30)
    parser.add_argument("--warmup-seconds", type=float, default=60)
    parser.add_argument("--memory-bound", type=float, default=1.25,
                        help="a worker's memory at the end may be at most this multiple of its memory at the start")
    args = parser.parse_args()

    setup_app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": args.database_url,
                            "INSTANCE_PATH": tempfile.mkdtemp(prefix="gp-soak-")})
    t = targets(setup_app)
    if t is None:
        sys.exit("the database holds no published results: build it first with bench/public_pages.py")
    draft, open_call = prepare(args.database_url, t)
    with setup_app.app_context():
        orgs = db.session.scalar(sa.text("SELECT count(*) FROM organization"))
        apps = db.session.scalar(sa.text("SELECT count(*) FROM application"))
    print(f"database: {sa.engine.make_url(args.database_url).get_backend_name()}, {orgs:,} organizations, "
          f"{apps:,} applications, {t['records']:,} funded projects; gunicorn {args.workers} sync workers; "
          f"{args.clients} clients ({args.signed_in} signed in); Redis {args.redis_url}", flush=True)

    folder = Path(tempfile.mkdtemp(prefix="gp-soak-"))
    server = Server(args.database_url, args.redis_url, args.workers, folder)
    try:
        floor = Results()
        floor.counting = True
        drive([Visitor(server.base, [("floor", get("/_floor"))], seed=i, kind="floor") for i in range(args.clients)],
              floor, args.floor_seconds, report_every=0)
        floor_rate = len(floor.rows) / args.floor_seconds
        print(f"floor (bare 50-row table through the same gunicorn): {floor_rate:.1f} req/s, "
              f"p50 {_pct([r[3] for r in floor.rows], 50):.3f} s", flush=True)

        visitors = []
        for i in range(args.clients):
            if i < args.signed_in and i % 2 == 0:
                visitors.append(Visitor(server.base, officer_choices(t, open_call), i, "officer", sign_in_officer))
            elif i < args.signed_in:
                visitors.append(Visitor(server.base, member_choices(draft), i, "member", sign_in_member))
            else:
                visitors.append(Visitor(server.base, public_choices(t), i))
        results = Results()
        print(f"warm-up {args.warmup_seconds:.0f} s (not counted)", flush=True)
        warm = Results()
        warm.counting = True
        drive(visitors, warm, args.warmup_seconds, report_every=0)
        start_memory = server.memory()
        results.counting = True
        seconds = args.minutes * 60
        print(f"soak {seconds:.0f} s; workers' RSS at the start (MiB): "
              f"{', '.join(f'{pid}: {m:.0f}' for pid, m in start_memory.items())}", flush=True)
        began = time.monotonic()
        drive(visitors, results, seconds, server=server)
        elapsed = time.monotonic() - began
        end_memory = server.memory()
    finally:
        server.stop()
    report(results, elapsed, floor_rate, start_memory, end_memory, args.memory_bound, server.log)


def report(results, elapsed, floor_rate, start_memory, end_memory, bound, log):
    rows = results.rows
    total = len(rows)
    print(f"\nrequests: {total:,} in {elapsed:.0f} s = {total / elapsed:.1f} req/s "
          f"(floor {floor_rate:.1f} req/s: floor/throughput {floor_rate / (total / elapsed):.2f})")
    by_kind = defaultdict(list)
    for r in rows:
        by_kind[r[1]].append(r[3])
    print(f"{'kind':<10} {'requests':>9} {'req/s':>7} {'p50 s':>7} {'p99 s':>7} {'max s':>7}")
    for kind, times in sorted(by_kind.items()):
        print(f"{kind:<10} {len(times):9,} {len(times) / elapsed:7.1f} {_pct(times, 50):7.3f} {_pct(times, 99):7.3f} "
              f"{max(times):7.3f}")
    everything = [r[3] for r in rows]
    print(f"{'all':<10} {total:9,} {total / elapsed:7.1f} {_pct(everything, 50):7.3f} {_pct(everything, 99):7.3f} "
          f"{max(everything):7.3f}")
    slow = defaultdict(list)
    for r in rows:
        slow[r[2]].append(r[3])
    print("\nslowest pages by p99 (s):")
    for label, times in sorted(slow.items(), key=lambda kv: -_pct(kv[1], 99))[:8]:
        print(f"  {label:<50} n={len(times):6,}  p50 {_pct(times, 50):6.3f}  p99 {_pct(times, 99):6.3f}")
    unexpected = defaultdict(int)
    for r in rows:
        if r[4] != 200:
            unexpected[(r[2], r[4])] += 1
    errors = sum(n for (_, status), n in unexpected.items() if not isinstance(status, int) or status >= 500)
    print(f"\nerrors (5xx or no answer): {errors}; other unexpected answers: "
          f"{sum(unexpected.values()) - errors}")
    for (label, status), n in sorted(unexpected.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {status}  ×{n}  {label}")
    print("\nworkers' resident memory (MiB), start of the soak → end, bound: end ≤ start × "
          f"{bound:.2f}")
    for pid, start in start_memory.items():
        end = end_memory.get(pid)
        if end is None:
            print(f"  worker {pid}: {start:.0f} → (gone: restarted during the run — see {log})")
            continue
        verdict = "within the bound" if end <= start * bound else "OVER THE BOUND"
        print(f"  worker {pid}: {start:.0f} → {end:.0f} ({(end - start) / start * 100:+.1f} %) {verdict}")
    print(f"gunicorn log: {log}")


if __name__ == "__main__":
    main()

"""deploy/: the nginx site, the systemd units, gunicorn's settings and the environment file, checked by the tools that
can check them here (``nginx -t`` and a running nginx in front of the app; ``systemd-analyze verify``), and against
the app's own settings."""
import configparser
import http.client
import re
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from grantportal.config import ROOT, default_config
from grantportal.core import doctor
from tests.factories import UserFactory

DEPLOY = ROOT / "deploy"
SITE = (DEPLOY / "nginx" / "grantportal.conf").read_text(encoding="utf-8")
UNITS = sorted((DEPLOY / "systemd").glob("grantportal*"))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _site_here(tmp_path, app_port, http_port, https_port):
    """The site as deployed, with this machine's paths and ports: a self-signed certificate, logs in tmp_path."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",  # noqa: S603, S607
                    "/CN=gycx.example.gov.cn", "-keyout", str(tmp_path / "privkey.pem"), "-out",
                    str(tmp_path / "fullchain.pem")], check=True, capture_output=True)
    site = (SITE.replace("/etc/ssl/grantportal/", f"{tmp_path}/").replace("/var/log/nginx/", f"{tmp_path}/")
            .replace("/srv/grantportal/", f"{ROOT}/").replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
            .replace("listen 80;", f"listen 127.0.0.1:{http_port};"))
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(f"""
user root;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    include {tmp_path}/site.conf;
}}
""", encoding="utf-8")
    return ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]


def _need(*tools):
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed here (apt-get install nginx-light openssl)")


def test_nginx_accepts_the_site(tmp_path):
    _need("nginx", "openssl")
    nginx = _site_here(tmp_path, 8000, _free_port(), _free_port())
    checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True)  # noqa: S603
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "[warn]" not in checked.stderr, checked.stderr


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TRUSTED_PROXIES": 1}  # behind nginx, as the deployment guide says


@pytest.fixture
def nginx_in_front(tmp_path, live_server):
    """nginx, configured as deployed, in front of the app: (https port, http port)."""
    _need("nginx", "openssl")
    http_port, https_port = _free_port(), _free_port()
    nginx = _site_here(tmp_path, int(live_server.rsplit(":", 1)[1]), http_port, https_port)
    process = subprocess.Popen([*nginx, "-g", "daemon off; master_process off;"],  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.05)
    yield https_port, http_port
    process.terminate()
    process.wait(10)


def _ask(port, method, path, headers=None, tls=True):
    connection = (http.client.HTTPSConnection("127.0.0.1", port, context=ssl._create_unverified_context(),  # noqa: S323
                                              timeout=30) if tls else http.client.HTTPConnection("127.0.0.1", port))
    connection.request(method, path, headers={"Host": "gycx.example.gov.cn", **(headers or {})})
    resp = connection.getresponse()
    body = resp.read().decode("utf-8", "replace")
    connection.close()
    return resp, body


def test_nginx_in_front_passes_the_client_serves_static_files_and_answers_its_errors_in_chinese(app, nginx_in_front):
    https_port, http_port = nginx_in_front
    resp, _ = _ask(http_port, "GET", "/calls/", tls=False)
    assert resp.status == 301 and resp.getheader("Location") == "https://gycx.example.gov.cn/calls/"

    resp, _ = _ask(https_port, "GET", "/healthz")
    assert resp.status == 200
    assert re.fullmatch(r"[0-9a-f]{32}", resp.getheader("X-Request-ID"))  # nginx's $request_id, kept by the app
    assert [v for k, v in resp.getheaders() if k.lower() == "strict-transport-security"] == [
        "max-age=31536000; includeSubDomains"]  # once, from nginx

    resp, _ = _ask(https_port, "GET", "/static/css/site.css")
    assert resp.status == 200 and resp.getheader("Cache-Control") == "max-age=604800"  # nginx, not the app
    assert resp.getheader("X-Request-ID") is None

    resp, body = _ask(https_port, "POST", "/login", {"Content-Length": str(33 * 1024 * 1024)})
    assert resp.status == 413 and "文件过大" in body  # refused before a byte of the body is read

    resp, body = _ask(https_port, "GET", "/static/no-such-file.css")
    assert resp.status == 404 and "页面不存在" in body


def test_the_client_address_is_the_one_nginx_saw_never_one_a_visitor_wrote(app, make_app):
    """GRANTPORTAL_TRUSTED_PROXIES=1 (one nginx): the last X-Forwarded-For entry, the one nginx added; 0: the
    header is ignored."""
    from grantportal.core.audit import AuditEntry
    from grantportal.core.db import db

    user = UserFactory(officer=True)
    for trusted, expected in ((1, "203.0.113.7"), (0, "127.0.0.1")):
        client = make_app(TRUSTED_PROXIES=trusted).test_client()
        client.post("/login", data={"username": user.username, "password": "Test-password-2026"},
                    headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
        entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry.ip == expected, trusted
        client.post("/logout")


def test_the_upload_limit_matches_the_app(tmp_path):
    limit = int(re.search(r"client_max_body_size (\d+)m;", SITE).group(1)) * 1024 * 1024
    assert limit == default_config(tmp_path, {"SECRET_KEY": "k"})["MAX_CONTENT_LENGTH"]
    for page in re.findall(r"error_page [\d =]+ (/static/\S+);", SITE):
        text = (ROOT / page.lstrip("/")).read_text(encoding="utf-8")
        assert 'lang="zh-CN"' in text and "返回首页" in text, page


def test_systemd_accepts_the_units(tmp_path):
    _need("systemd-analyze")
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text(encoding="utf-8").replace("/srv/grantportal", str(ROOT))
                                          .replace("/etc/grantportal/env", str(tmp_path / "env")), encoding="utf-8")
    (tmp_path / "env").write_text("REDIS_URL=redis://127.0.0.1:6379/0\n", encoding="utf-8")
    checked = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(tmp_path / u.name) for u in UNITS)],  # noqa: S603, S607
                             capture_output=True, text=True, cwd=tmp_path)
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr


def test_the_environment_file_reads_the_same_in_the_shell_and_passes_the_doctor(tmp_path, monkeypatch):
    """The example reads the same sourced by a shell (an operator's flask commands) as by systemd, and with its
    secret filled in passes every blocking check of ``flask doctor`` but the two the bureau must add itself: its SMS
    gateway and its signing certificate (the files named are not there)."""
    env = {}
    for line in (DEPLOY / "grantportal.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    shell = subprocess.run(["bash", "-c", 'set -ea; . "$0"; env -0', str(DEPLOY / "grantportal.env.example")],  # noqa: S603, S607
                           capture_output=True, text=True, env={}, check=True).stdout
    sourced = {k: v for k, _, v in (item.partition("=") for item in shell.split("\0")) if k in env}
    assert sourced == env  # as systemd reads it
    env["GRANTPORTAL_SECRET_KEY"] = "k" * 64
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from grantportal import create_app

    found = doctor.findings(create_app({"INSTANCE_PATH": str(tmp_path)}), env, harfbuzz=True)
    assert [f.key for f in found] == ["signing", "sms"]


def test_journald_keeps_the_logs_six_months():
    """网络安全法 第二十一条: logs are kept at least six months, so journald may delete the oldest only for space (no
    time limit shorter than that) and keeps them on disk across restarts."""
    conf = configparser.ConfigParser()
    conf.optionxform = str
    conf.read(DEPLOY / "journald" / "grantportal.conf", encoding="utf-8")
    journal = conf["Journal"]
    assert journal["Storage"] == "persistent"
    assert journal["MaxRetentionSec"] == "0" and journal["SystemMaxUse"].endswith("G")

"""`flask doctor`: what is unsafe or missing for production (DESIGN.md §6, §8), and the production entry point
that refuses to serve while a blocking item remains.

Each finding says what is wrong and how to put it right, in Chinese, and whether it blocks production
(``blocking``) or is advice. ``findings(app, environ)`` reads only the configuration and the environment —
never a secret's value — so it can run before the database is reachable. Production mode is
``GRANTPORTAL_ENV=production``: ``grantportal.wsgi:app`` (what gunicorn serves in deploy/) then refuses to
start with the list of blocking findings; the demo and the tests are not in production mode.

``GRANTPORTAL_PROCESSES`` (or gunicorn's ``WEB_CONCURRENCY``) says how many app processes serve the site in
all, on every server; with more than one, rate limits and sign-in throttles must be shared through Redis and
the database must not be SQLite."""
import os
from dataclasses import dataclass
from pathlib import Path

import click
from flask.cli import with_appcontext

from grantportal.core import replica, signing
from grantportal.core.db import db

DEFAULT_BUREAU = "市民政局"


@dataclass(frozen=True)
class Finding:
    key: str
    blocking: bool
    problem: str
    fix: str


def production(environ=None):
    return (environ if environ is not None else os.environ).get("GRANTPORTAL_ENV", "").lower() == "production"


def _processes(environ):
    for name in ("GRANTPORTAL_PROCESSES", "WEB_CONCURRENCY"):
        value = environ.get(name, "")
        if value.isdigit():
            return int(value)
    return 1


def _harfbuzz():
    from grantportal.core.pdf import subsetter  # noqa: PLC0415 (deferred: importing WeasyPrint costs ~0.6 s)

    return subsetter() == "harfbuzz"


def _signing_problem(cfg):
    """What is wrong with the certificate PDFs are signed with (core/signing.py), or None. Reads the certificate
    (public), never the key."""
    if not signing.configured(cfg):
        return ("未配置民政部门的签名证书：平台出具的 PDF 没有数字签名，阅读器和核验页面都无法证明文书由谁出具、"
                "出具后是否被改动。")
    try:
        test = signing.is_test_certificate(cfg["SIGNING_CERT_FILE"])
    except (OSError, ValueError):
        return "无法读取文书签名证书（GRANTPORTAL_SIGNING_CERT_FILE）：应为 PEM 格式的证书。"
    if test:
        return ("文书签名使用的是演示用的测试证书（flask documents make-test-ca 生成）：签名者不是真实的证书机构"
                "签发的民政部门证书。")
    roots = cfg.get("SIGNING_TRUST_ROOTS_FILE")
    if not (roots and Path(roots).is_file()):
        return "未配置签名的信任根证书：核验页面无法确认文书签名有效。"
    return None


def findings(app, environ=None, harfbuzz=None):
    """Everything unsafe or missing, blocking items first."""
    environ = environ if environ is not None else os.environ
    cfg = app.config
    out = []

    def add(key, blocking, problem, fix):
        out.append(Finding(key, blocking, problem, fix))

    if app.debug:
        add("debug", True, "调试模式已打开：出错时会向访问者显示程序内部信息。",
            "不要设置 FLASK_DEBUG，也不要用 flask run 对外服务。")
    if not (environ.get("GRANTPORTAL_SECRET_KEY") or environ.get("SECRET_KEY")):
        add("secret", True, "没有在环境中设置密钥：密钥保存在本机 instance/ 中，换机器、多台服务器时各不相同，"
            "登录会话和表单校验会失效。",
            "设置 GRANTPORTAL_SECRET_KEY 为至少 32 个字符的随机串，所有应用服务器使用同一个值。")
    elif len(cfg["SECRET_KEY"]) < 32:
        add("secret", True, "密钥过短（少于 32 个字符）。",
            "用 python3 -c 'import secrets; print(secrets.token_hex(32))' 生成新密钥。")
    if not cfg["SESSION_COOKIE_SECURE"]:
        add("cookies", True, "会话 Cookie 未设置 Secure 标记：在非加密连接上也会发送。",
            "删除 GRANTPORTAL_SECURE_COOKIES=0，并通过 HTTPS 提供服务。")
    if not cfg["TOTP_REQUIRED_ROLES"]:
        add("totp", True, "项目官员和系统管理员登录未要求动态口令（TOTP）。", "删除 GRANTPORTAL_TOTP=0。")
    base = cfg.get("PUBLIC_BASE_URL") or ""
    if not base:
        add("public_url", True, "未设置平台的公网地址：文书无法出具（二维码和核验网址需要它）。",
            "设置 GRANTPORTAL_PUBLIC_BASE_URL，如 https://gycx.example.gov.cn。")
    elif not base.startswith("https://"):
        add("public_url", True, f"平台的公网地址不是 HTTPS 地址（{base.split('://')[0]}）。",
            "使用 https:// 开头的地址。")
    if cfg.get("BUREAU_NAME", DEFAULT_BUREAU) == DEFAULT_BUREAU or not cfg.get("BUREAU_USCC"):
        add("bureau", True, "未设置民政部门的名称或统一社会信用代码：合同、通知书和开放数据中的发布机构不完整。",
            "设置 GRANTPORTAL_BUREAU_NAME 和 GRANTPORTAL_BUREAU_USCC（以及 GRANTPORTAL_BUREAU_LEGAL_REP）。")
    signing_problem = _signing_problem(cfg)
    if signing_problem:
        add("signing", True, signing_problem,
            "设置 GRANTPORTAL_SIGNING_KEY_FILE、GRANTPORTAL_SIGNING_CERT_FILE（民政部门的私钥和证书，PEM 格式）和 "
            "GRANTPORTAL_SIGNING_TRUST_ROOTS_FILE（签发该证书的根证书）；私钥有口令时设置 "
            "GRANTPORTAL_SIGNING_KEY_PASSPHRASE。")
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        add("database", True, "使用 SQLite：只适合单机演示，多个应用进程同时写入会互相等待，也无法由多台服务器共用。",
            "设置 DATABASE_URL 指向 PostgreSQL。")
    processes = _processes(environ)
    if processes > 1 and not cfg.get("REDIS_URL"):
        add("redis", True, f"有 {processes} 个应用进程但未配置 Redis：访问频率限制在每个进程中分别计数，可被绕过"
            + ("；各进程分别缓存的公开页面在数据变更后可能仍显示旧内容。" if cfg.get("PAGE_CACHE_SECONDS") else "。"),
            "设置 REDIS_URL。")
    if cfg.get("MAIL_BACKEND") in ("log", "console"):
        add("mail", True, "邮件只写入日志，不会真正发出：注册确认、重置密码和通知都到不了用户。",
            "设置 GRANTPORTAL_MAIL_BACKEND=smtp 及 GRANTPORTAL_MAIL_SERVER 等。")
    if cfg.get("SMS_SHOW_CODE"):
        add("sms_code", True, "短信验证码显示在登录页面上（演示设置）：任何人不需收到短信即可用他人手机号登录公众账户、"
            "参加投票。", "删除 GRANTPORTAL_SMS_SHOW_CODE。")
    if cfg.get("SMS_BACKEND") in ("log", "console"):
        add("sms", False, "短信只写入日志，不会真正发出。", "接入短信服务后设置 GRANTPORTAL_SMS_BACKEND。")
    if (cfg.get("JOB_QUEUE") or "inprocess") != "rq" and processes > 1:
        add("jobs", False, "后台任务在应用进程内的线程中运行：进程重启时正在运行的任务会中断。",
            "设置 GRANTPORTAL_JOB_QUEUE=rq 并运行 rq worker grantportal。")
    if not cfg.get("TRUSTED_PROXIES"):
        add("proxy", False, "未设置反向代理层数：在 nginx 之后时，限流和日志看到的都是代理的地址。",
            "在 nginx 之后运行时设置 GRANTPORTAL_TRUSTED_PROXIES=1。")
    if not (harfbuzz if harfbuzz is not None else _harfbuzz()):
        add("harfbuzz", False, "缺少 HarfBuzz 字体子集库：生成一份 PDF 合同要 5–10 秒而不是 0.3 秒。",
            "安装 libharfbuzz-subset0（bin/install 会安装）。")
    return sorted(out, key=lambda f: not f.blocking)


def replica_findings(app):
    """The read replica (core/replica.py), when configured: reachable, a read-only streaming standby. Connects to
    it (a few seconds at most), so only ``flask doctor`` asks, never the start-up check: a replica that is down for
    a moment must not keep the site from starting. Returns (findings, a line describing the replica or None)."""
    url = app.config.get("REPLICA_DATABASE_URL")
    if not url:
        return [], None
    if not url.startswith("postgresql"):
        return [Finding("replica", True, "只读副本不是 PostgreSQL：公开页面只能从 PostgreSQL 流复制备库读取。",
                        "删除 GRANTPORTAL_REPLICA_DATABASE_URL，或指向 PostgreSQL 备库。")], None
    with app.app_context():
        reachable, standby, lag, reason = replica.status(db.engines[replica.BIND])
    if not reachable:
        return [Finding("replica", True, f"只读副本{reason}：公开页面将无法显示。",
                        "检查备库是否运行、GRANTPORTAL_REPLICA_DATABASE_URL 的地址和口令，"
                        "或删除该设置改从主库读取。")], None
    if not standby:
        return [Finding("replica", True, "只读副本不是流复制备库（pg_is_in_recovery() 为假）：公开页面读到的可能"
                                         "是另一个数据库。",
                        "用 pg_basebackup -R 建立备库后再指向它（见 docs/scaling.md）。")], None
    behind = "未知" if lag is None else f"{lag:.1f} 秒"
    return [], f"只读副本：可连接，为只读的流复制备库，最近一次重放距今 {behind}（主库无写入时此值会增大）。"


def refuse_unsafe_start(app, environ=None):
    """In production mode, raise ``RuntimeError`` listing the blocking findings, if any."""
    if not production(environ):
        return
    blocking = [f for f in findings(app, environ) if f.blocking]
    if blocking:
        lines = "\n".join(f"- {f.problem} 处理：{f.fix}" for f in blocking)
        raise RuntimeError(f"生产模式（GRANTPORTAL_ENV=production）下拒绝启动，请先处理：\n{lines}")


@click.command("doctor")
@with_appcontext
def doctor_command():
    """检查生产环境的配置：列出不安全或缺少的项目；有阻止上线的项目时退出码为 1。"""
    from flask import current_app  # noqa: PLC0415

    app = current_app._get_current_object()
    extra, replica_line = replica_findings(app)
    found = sorted(findings(app) + extra, key=lambda f: not f.blocking)
    if replica_line:
        click.echo(replica_line)
    if not found:
        click.echo("未发现问题。")
        return
    for f in found:
        click.echo(f"[{'阻止上线' if f.blocking else '建议'}] {f.problem}\n    处理：{f.fix}")
    blocking = sum(f.blocking for f in found)
    click.echo(f"\n共 {len(found)} 项，其中 {blocking} 项阻止上线。")
    if blocking:
        raise SystemExit(1)

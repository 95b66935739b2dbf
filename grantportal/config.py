"""Configuration: defaults here, overridden by the environment (GRANTPORTAL_*, DATABASE_URL, REDIS_URL)."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _secret_key(instance):
    """SECRET_KEY from the environment, or generated once into instance/ (never a constant here)."""
    env = os.environ.get("GRANTPORTAL_SECRET_KEY") or os.environ.get("SECRET_KEY")
    if env:
        return env
    path = Path(instance) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _database_url(instance):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance) / 'grantportal.db'}"
    return _driver_url(url)


def _driver_url(url):
    """postgres:// and postgresql:// as SQLAlchemy's psycopg (3) URL; other URLs as they are."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


# the test CA's files (``flask documents make-test-ca``, core/signing.py): the demo and the tests sign with them
SIGNING_TEST_FOLDER = "signing"
SIGNING_TEST_FILES = {"SIGNING_KEY_FILE": "test-bureau.key", "SIGNING_CERT_FILE": "test-bureau.pem",
                      "SIGNING_TRUST_ROOTS_FILE": "test-ca.pem"}


def _signing_files(instance):
    """The bureau's signing key, certificate and trust roots from the environment (GRANTPORTAL_SIGNING_*), each
    else the test CA's file in instance/signing/ when it exists; None where neither is there."""
    out = {}
    for setting, name in SIGNING_TEST_FILES.items():
        test_file = Path(instance) / SIGNING_TEST_FOLDER / name
        out[setting] = os.environ.get(f"GRANTPORTAL_{setting}") or (str(test_file) if test_file.exists() else None)
    return out


def _flag(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.lower() in ("1", "true", "yes", "on")


def default_config(instance=INSTANCE, given=None):
    """Every setting the app reads, with its default. ``given`` are the settings the caller passes to
    ``create_app``: a SECRET_KEY given there is used as it is, and no key file is written."""
    given = given or {}
    redis_url = os.environ.get("REDIS_URL")
    return {
        "SECRET_KEY": given.get("SECRET_KEY") or _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        # a PostgreSQL streaming replica the public pages read from (core/replica.py); unset: one database
        "REPLICA_DATABASE_URL": _driver_url(os.environ.get("GRANTPORTAL_REPLICA_DATABASE_URL", "")) or None,
        # hide_parameters: a database error's message (logged with its traceback) never shows the row's values
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": redis_url,
        "STORAGE_DIR": os.environ.get("GRANTPORTAL_STORAGE_DIR", str(Path(instance) / "files")),
        "TIMEZONE": "Asia/Shanghai",
        "SITE_NAME": os.environ.get("GRANTPORTAL_SITE_NAME", "公益创投与政府购买服务信息平台"),
        "BUREAU_NAME": os.environ.get("GRANTPORTAL_BUREAU_NAME", "市民政局"),
        # printed on contracts and notices: the bureau's 统一社会信用代码 and legal representative, and the
        # public address QR codes point to (/verify/<code>): without it no document is issued (documents/render.py;
        # bin/demo sets it to the address it serves on); other absolute links then use the request's address
        "BUREAU_USCC": os.environ.get("GRANTPORTAL_BUREAU_USCC", ""),
        "BUREAU_LEGAL_REP": os.environ.get("GRANTPORTAL_BUREAU_LEGAL_REP", ""),
        # the rest of the bureau's identity on documents (documents/render.py): 住所, the contact person and phone
        # printed on notices and contracts, and the account it pays from (开户银行, 账号, 户名)
        "BUREAU_ADDRESS": os.environ.get("GRANTPORTAL_BUREAU_ADDRESS", ""),
        "BUREAU_CONTACT_NAME": os.environ.get("GRANTPORTAL_BUREAU_CONTACT_NAME", ""),
        "BUREAU_CONTACT_PHONE": os.environ.get("GRANTPORTAL_BUREAU_CONTACT_PHONE", ""),
        "BUREAU_BANK_NAME": os.environ.get("GRANTPORTAL_BUREAU_BANK_NAME", ""),
        "BUREAU_BANK_ACCOUNT": os.environ.get("GRANTPORTAL_BUREAU_BANK_ACCOUNT", ""),
        "BUREAU_BANK_ACCOUNT_NAME": os.environ.get("GRANTPORTAL_BUREAU_BANK_ACCOUNT_NAME", ""),
        # a 入选通知书's signing arrangements: days from the notice to sign, where, and what to bring
        "SIGNING_DAYS": int(os.environ.get("GRANTPORTAL_SIGNING_DAYS", "15")),
        "SIGNING_PLACE": os.environ.get("GRANTPORTAL_SIGNING_PLACE", ""),  # unset: the bureau's address
        "SIGNING_BRING": os.environ.get("GRANTPORTAL_SIGNING_BRING", "法定代表人身份证明书或授权委托书、经办人身份证、"
                                        "机构公章、登记证书副本复印件（加盖公章）"),
        # contracts: payment within this many working days of the condition met and a valid invoice received,
        # and the 违约金 as a percentage of the contract amount
        "CONTRACT_PAYMENT_DAYS": int(os.environ.get("GRANTPORTAL_CONTRACT_PAYMENT_DAYS", "15")),
        "CONTRACT_PENALTY_PERCENT": int(os.environ.get("GRANTPORTAL_CONTRACT_PENALTY_PERCENT", "10")),
        "PUBLIC_BASE_URL": os.environ.get("GRANTPORTAL_PUBLIC_BASE_URL", ""),
        # open data (opendata/ocds.py): the OCDS ocid prefix registered with the Open Contracting Partnership;
        # every call's contracting process is <prefix>-call-<id>
        "OCID_PREFIX": os.environ.get("GRANTPORTAL_OCID_PREFIX", "ocds-gp0000"),
        # the public statistics page (disclosure/statistics): how long its figures are kept before recounting
        "STATISTICS_CACHE_SECONDS": int(os.environ.get("GRANTPORTAL_STATISTICS_CACHE_SECONDS", "300")),
        # anonymous visitors' public pages kept as rendered until public data changes, at most this long (core/
        # pagecache.py), in Redis; without REDIS_URL off unless set (then in the process: right for one process
        # only — each would keep its own pages, and a write in one would not reach another's); 0: always rendered
        "PAGE_CACHE_SECONDS": int(os.environ.get("GRANTPORTAL_PAGE_CACHE_SECONDS", "60" if redis_url else "0")),
        # the bulk XLSX of open data (opendata/bulk.py): a download finding it older than this queues a new build
        "OPEN_DATA_FILE_SECONDS": int(os.environ.get("GRANTPORTAL_OPEN_DATA_FILE_SECONDS", "3600")),
        # the public checks (复核) of published results (awards/proposals/checks.py): a page whose kept check is
        # older than this queues a new computation (results published, revised or made final queue one at once)
        "PUBLIC_CHECK_SECONDS": int(os.environ.get("GRANTPORTAL_PUBLIC_CHECK_SECONDS", "3600")),
        # the city's 镇街 (core/districts.py): names separated by commas or 、; unset, 中山市's 23 镇街
        "DISTRICTS": os.environ.get("GRANTPORTAL_DISTRICTS") or None,
        # uploads: one file, and one request holding several
        "MAX_FILE_SIZE": 10 * 1024 * 1024,
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        # photos (core/photos.py): larger images are refused before decoding; longer sides are scaled down
        "PHOTO_MAX_PIXELS": 40_000_000,
        "PHOTO_MAX_SIDE": 4096,
        # sessions and CSRF (a scoring session can last two hours)
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("GRANTPORTAL_SECURE_COOKIES", True),
        "SESSION_COOKIE_NAME": "gp_session",
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("GRANTPORTAL_IDLE_MINUTES", 30))),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=12),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        # two-factor sign-in (TOTP) for these roles
        "TOTP_REQUIRED_ROLES": ("officer", "admin") if _flag("GRANTPORTAL_TOTP", True) else (),
        "TOTP_ISSUER": os.environ.get("GRANTPORTAL_TOTP_ISSUER", "grantportal"),
        # failed sign-ins (accounts/auth.py): no lock anyone else can set off. After LOGIN_FREE_FAILURES failures
        # for one account from one source (a known device of that account, else the address) that source waits
        # LOGIN_FIRST_DELAY, doubling with each further failure up to LOGIN_MAX_DELAY; an address failing on many
        # names waits the same way after LOGIN_ADDRESS_FREE_FAILURES; the owner is told when the account has
        # LOGIN_ALERT_FAILURES failures from anywhere. Failures count for LOGIN_FAILURE_WINDOW.
        "LOGIN_FREE_FAILURES": 5,
        "LOGIN_ADDRESS_FREE_FAILURES": 20,
        "LOGIN_ALERT_FAILURES": 10,
        "LOGIN_FIRST_DELAY": timedelta(seconds=30),
        "LOGIN_MAX_DELAY": timedelta(minutes=15),
        "LOGIN_FAILURE_WINDOW": timedelta(hours=1),
        "DEVICE_COOKIE_DAYS": 180,  # a browser that signed in to an account is that account's known device
        # single-use links and codes (accounts/tokens.py)
        "REGISTER_LINK_HOURS": 24,
        "RESET_LINK_MINUTES": 30,
        "RESET_MAIL_INTERVAL": timedelta(minutes=2),  # at most one reset mail per account in this time
        "CONTACT_CODE_MINUTES": 30,  # confirming a new e-mail address or phone number
        # rate limits (shared storage when several workers run)
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        # Redis unreachable: count in each process's memory instead, every limit cut to 1/RATELIMIT_FALLBACK_FACTOR
        # (each process now counts alone), with a warning in the log (core/extensions.py StricterFallback)
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": bool(redis_url),
        "RATELIMIT_FALLBACK_FACTOR": int(os.environ.get("GRANTPORTAL_RATELIMIT_FALLBACK_FACTOR", 4)),
        "RATELIMIT_LOGIN": "20 per minute",
        "RATELIMIT_REGISTER": "5 per hour",  # registration forms sent, per address
        "RATELIMIT_RESET": "5 per hour",  # password reset requests, per address (and one mail per account: tokens.py)
        "RATELIMIT_CONTACT": "10 per hour",  # new e-mail address or phone number confirmations, per address
        "RATELIMIT_OBJECTION": "10 per hour",  # filing objections (each with up to 5 evidence files)
        "RATELIMIT_SUPERVISION": "10 per hour",  # filing 随手拍 supervision reports (each with up to 3 photos)
        "RATELIMIT_PLEDGE": "10 per hour",  # public pledges (公众认捐) made, per address
        # public votes (votes/): casting a vote, per voter, per address and per /24 network (one address may be a
        # whole office or a mobile carrier's NAT, hence the higher limits)
        "RATELIMIT_VOTE_VOTER": os.environ.get("GRANTPORTAL_RATELIMIT_VOTE_VOTER", "10 per minute;100 per day"),
        "RATELIMIT_VOTE_ADDRESS": os.environ.get("GRANTPORTAL_RATELIMIT_VOTE_ADDRESS", "60 per minute;2000 per day"),
        "RATELIMIT_VOTE_NETWORK": os.environ.get("GRANTPORTAL_RATELIMIT_VOTE_NETWORK", "300 per minute;10000 per day"),
        # a question before the vote (votes/challenge.py) once an address cast this many votes in this many seconds
        "VOTE_CHALLENGE_VOTES": int(os.environ.get("GRANTPORTAL_VOTE_CHALLENGE_VOTES", 5)),
        "VOTE_CHALLENGE_SECONDS": int(os.environ.get("GRANTPORTAL_VOTE_CHALLENGE_SECONDS", 300)),
        # anomaly rules (votes/anomalies.py): a burst for one project (votes within seconds); new accounts (opened
        # less than hours ago) voting from one /24; voters for one project with numbers within a span of the
        # voter's; votes for one project within seconds between 00:00 and 06:00
        "VOTE_BURST_VOTES": 30, "VOTE_BURST_SECONDS": 60,
        "VOTE_NEW_ACCOUNTS": 5, "VOTE_NEW_ACCOUNT_HOURS": 24,
        "VOTE_SEQUENTIAL_VOTERS": 3, "VOTE_SEQUENTIAL_SPAN": 10,
        "VOTE_NIGHT_VOTES": 5, "VOTE_NIGHT_SECONDS": 120,
        # one public pledge (pledges/operations.py), in yuan: less is a typing slip, more is for an officer to record
        # as a matched fund with the donor, not for a web form
        "PLEDGE_MIN_YUAN": int(os.environ.get("GRANTPORTAL_PLEDGE_MIN_YUAN", 1)),
        "PLEDGE_MAX_YUAN": int(os.environ.get("GRANTPORTAL_PLEDGE_MAX_YUAN", 1_000_000)),
        # number of reverse proxies in front whose X-Forwarded-For is trusted
        "TRUSTED_PROXIES": int(os.environ.get("GRANTPORTAL_TRUSTED_PROXIES", 0)),
        "INVITATION_DAYS": 7,
        # mail: "log" (the embedded default: a line in the log), "smtp", "memory" (tests) or "console" (bin/demo only:
        # whole messages, links included, on the terminal)
        "MAIL_BACKEND": os.environ.get("GRANTPORTAL_MAIL_BACKEND", "log"),
        "MAIL_SERVER": os.environ.get("GRANTPORTAL_MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("GRANTPORTAL_MAIL_PORT", 25)),
        "MAIL_USE_TLS": _flag("GRANTPORTAL_MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("GRANTPORTAL_MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("GRANTPORTAL_MAIL_PASSWORD"),
        "MAIL_FROM": os.environ.get("GRANTPORTAL_MAIL_FROM", "noreply@localhost"),
        # SMS for notices and confirmations (core.sms): "log" (the default: a masked number in the log), "memory"
        # (tests), "console" (bin/demo) or "module:function" naming the gateway adapter send(phone, text);
        # SMS_NOTICES off sends no notice by SMS
        "SMS_BACKEND": os.environ.get("GRANTPORTAL_SMS_BACKEND", "log"),
        "SMS_NOTICES": _flag("GRANTPORTAL_SMS_NOTICES", True),
        # citizens (公众) sign in with an SMS code (citizens/codes.py): a code lasts SMS_CODE_MINUTES and dies after
        # SMS_CODE_ATTEMPTS tries; a phone gets a new code no sooner than SMS_RESEND_SECONDS after the last and at
        # most SMS_DAILY_PER_PHONE codes a day (Beijing time); RATELIMIT_SMS counts code requests per address.
        # SMS_SHOW_CODE shows the code on the sign-in page ("演示环境：验证码为 123456"): bin/demo and tests only
        "SMS_SHOW_CODE": _flag("GRANTPORTAL_SMS_SHOW_CODE", False),
        "SMS_CODE_MINUTES": 10,
        "SMS_CODE_ATTEMPTS": 5,
        "SMS_RESEND_SECONDS": 60,
        "SMS_DAILY_PER_PHONE": int(os.environ.get("GRANTPORTAL_SMS_DAILY_PER_PHONE", 10)),
        "RATELIMIT_SMS": os.environ.get("GRANTPORTAL_RATELIMIT_SMS", "10 per minute;50 per hour"),
        "PAGE_SIZE": 20,
        # list exports (workbench): above this many rows an export runs as a background job
        "EXPORT_SYNC_MAX_ROWS": 5000,
        # background jobs (core.jobs): "inprocess" (a thread after the commit) or "rq" (needs REDIS_URL and
        # `rq worker grantportal`); JOBS_SYNC runs in-process jobs at once, in the request (tests, CLI)
        "JOB_QUEUE": os.environ.get("GRANTPORTAL_JOB_QUEUE", "inprocess"),
        "JOB_QUEUE_NAME": "grantportal",
        "JOB_TIMEOUT": 900,  # seconds before RQ kills a job
        "JOBS_SYNC": False,
        "RENDER_TIMEOUT": 120,  # seconds one PDF may take to render
        # the bureau's certificate every PDF is signed with (PAdES, core/signing.py): key and certificate (PEM, the
        # chain's intermediates after the certificate), the key's passphrase, the root(s) /verify trusts; unset,
        # the test CA's files in instance/signing/ when `flask documents make-test-ca` made them (flask doctor
        # refuses those in production); no certificate at all: PDFs are issued unsigned
        **_signing_files(instance),
        "SIGNING_KEY_PASSPHRASE": os.environ.get("GRANTPORTAL_SIGNING_KEY_PASSPHRASE") or None,
        "RATELIMIT_VERIFY": "30 per minute",  # the public document verification page, per address
        # the audit chain (core/audit_chain.py): entries are sealed only once they are this old, so that no
        # transaction still in flight can commit an entry below the sealed head
        "AUDIT_SEAL_SETTLE_SECONDS": int(os.environ.get("GRANTPORTAL_AUDIT_SEAL_SETTLE_SECONDS", "300")),
        # logs (core/logs.py): "json" (one object per line, the default in production) or "text"
        "LOG_FORMAT": (os.environ.get("GRANTPORTAL_LOG_FORMAT") or (
            "json" if os.environ.get("GRANTPORTAL_ENV", "").lower() == "production" else "text")).lower(),
        # /metrics (core/metrics.py): read from these addresses or networks (comma-separated), or with this bearer
        # token; everyone else gets a 404
        "METRICS_ALLOW": os.environ.get("GRANTPORTAL_METRICS_ALLOW", "127.0.0.1, ::1"),
        "METRICS_TOKEN": os.environ.get("GRANTPORTAL_METRICS_TOKEN", ""),
        "BACKUP_DIR": os.environ.get("GRANTPORTAL_BACKUP_DIR") or str(Path(instance) / "backups"),  # flask backup
        # the nightly backup (flask schedule) keeps this many archives in BACKUP_DIR (0: all); copy them elsewhere too
        "BACKUP_KEEP": int(os.environ.get("GRANTPORTAL_BACKUP_KEEP", "14")),
    }

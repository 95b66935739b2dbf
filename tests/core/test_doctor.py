"""`flask doctor` and the production entry point's refusal (core/doctor.py)."""
import pytest

from grantportal import create_app
from grantportal.core import doctor, signing

READY_ENV = {"GRANTPORTAL_ENV": "production", "GRANTPORTAL_SECRET_KEY": "k" * 64, "GRANTPORTAL_PROCESSES": "4"}


@pytest.fixture(scope="session")
def bureau_certificate(tmp_path_factory):
    """The bureau's own certificate, issued by a CA that stands for a real one (not the test CA)."""
    return signing.make_test_ca(tmp_path_factory.mktemp("bureau-ca"), "中山市民政局", "11442000007238513A",
                                ca_org="广东省数字证书认证中心（测试替身）")


@pytest.fixture
def production_app(tmp_path, bureau_certificate):
    """An app configured as the deployment guide says."""
    return create_app({**bureau_certificate,
        "SECRET_KEY": "k" * 64, "INSTANCE_PATH": str(tmp_path), "STORAGE_DIR": str(tmp_path / "files"),
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://grantportal@db.internal/grantportal",
        "REDIS_URL": "redis://cache.internal:6379/0", "SESSION_COOKIE_SECURE": True,
        "TOTP_REQUIRED_ROLES": ("officer", "admin"), "PUBLIC_BASE_URL": "https://gycx.example.gov.cn",
        "BUREAU_NAME": "中山市民政局", "BUREAU_USCC": "11442000007238513A", "MAIL_BACKEND": "smtp",
        "SMS_BACKEND": "log", "JOB_QUEUE": "rq", "TRUSTED_PROXIES": 1})


def keys(found, blocking=True):
    return {f.key for f in found if f.blocking == blocking}


def test_a_production_configuration_has_no_blocking_item(production_app):
    found = doctor.findings(production_app, READY_ENV, harfbuzz=True)
    assert keys(found) == set()
    assert keys(found, blocking=False) == {"sms"}  # advice only: short messages still go to the log
    doctor.refuse_unsafe_start(production_app, READY_ENV)  # starts


@pytest.mark.parametrize("change, env, key", [
    ({"SESSION_COOKIE_SECURE": False}, {}, "cookies"),
    ({"TOTP_REQUIRED_ROLES": ()}, {}, "totp"),
    ({"PUBLIC_BASE_URL": ""}, {}, "public_url"),
    ({"PUBLIC_BASE_URL": "http://gycx.example.gov.cn"}, {}, "public_url"),
    ({"BUREAU_USCC": ""}, {}, "bureau"),
    ({"BUREAU_NAME": "市民政局"}, {}, "bureau"),
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/grantportal.db"}, {}, "database"),
    ({"REDIS_URL": None}, {}, "redis"),
    ({"MAIL_BACKEND": "log"}, {}, "mail"),
    ({"SMS_SHOW_CODE": True}, {}, "sms_code"),
    ({}, {"GRANTPORTAL_SECRET_KEY": ""}, "secret"),
    ({"DEBUG": True}, {}, "debug"),
    ({"SIGNING_CERT_FILE": None}, {}, "signing"),
    ({"SIGNING_TRUST_ROOTS_FILE": None}, {}, "signing"),
])
def test_each_unsafe_setting_blocks_production(production_app, change, env, key):
    production_app.config.update(change)
    if change.get("DEBUG"):
        production_app.debug = True
    environ = {**READY_ENV, **env}
    found = doctor.findings(production_app, environ, harfbuzz=True)
    assert key in keys(found)
    with pytest.raises(RuntimeError, match="拒绝启动") as refused:
        doctor.refuse_unsafe_start(production_app, environ)
    assert "k" * 64 not in str(refused.value)  # never a secret in the message


def test_the_test_certificate_blocks_production(production_app, tmp_path):
    production_app.config.update(signing.make_test_ca(tmp_path, "中山市民政局"))
    found = doctor.findings(production_app, READY_ENV, harfbuzz=True)
    assert "signing" in keys(found)
    assert "测试证书" in next(f.problem for f in found if f.key == "signing")


def test_one_process_without_redis_is_not_blocked_but_several_are(production_app):
    production_app.config["REDIS_URL"] = None
    assert "redis" not in keys(doctor.findings(production_app, {**READY_ENV, "GRANTPORTAL_PROCESSES": "1"}, True))
    assert "redis" in keys(doctor.findings(production_app, {**READY_ENV, "WEB_CONCURRENCY": "3",
                                                             "GRANTPORTAL_PROCESSES": ""}, True))


def test_outside_production_mode_the_app_starts_whatever_the_findings(app):
    assert keys(doctor.findings(app, {}, harfbuzz=False))  # the test app is far from production…
    doctor.refuse_unsafe_start(app, {})  # …and starts


def test_the_command_lists_findings_and_fails_on_blocking_ones(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "[阻止上线]" in result.output and "处理：" in result.output and "项阻止上线" in result.output
    assert app.config["SECRET_KEY"] not in result.output

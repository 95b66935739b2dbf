"""`flask documents make-test-ca`: a local test CA and a bureau certificate for the demo and the tests, so that
their documents are signed as production's are (core/signing.py). Never for real documents: the CA says so in
its name, and `flask doctor` refuses it in production."""
import click
from flask import current_app
from flask.cli import with_appcontext

from grantportal.core import signing


@click.group("documents")
def documents_cli():
    """文书。"""


def ensure_test_ca(app):
    """The test CA's files in the app's instance folder (made once, then kept) and the app's settings pointing at
    them, unless a certificate of the bureau's own is configured. Returns True when the test CA is in use."""
    if signing.configured(app.config) and not signing.is_test_certificate(app.config["SIGNING_CERT_FILE"]):
        return False
    instance = app.config.get("INSTANCE_PATH") or app.instance_path
    app.config.update(signing.make_test_ca(instance, app.config["BUREAU_NAME"], app.config.get("BUREAU_USCC", "")))
    return True


@documents_cli.command("make-test-ca")
@with_appcontext
def make_test_ca_command():
    """生成演示和测试用的本地测试 CA 及民政部门签名证书（instance/signing/，已有则保留）；正式环境不得使用。"""
    app = current_app._get_current_object()
    if not ensure_test_ca(app):
        click.echo(f"已配置民政部门的签名证书（{app.config['SIGNING_CERT_FILE']}），未生成测试证书。")
        return
    click.echo(f"测试签名证书：{app.config['SIGNING_CERT_FILE']}（私钥 {app.config['SIGNING_KEY_FILE']}，"
               f"测试根证书 {app.config['SIGNING_TRUST_ROOTS_FILE']}）。")
    click.echo("平台出具的 PDF 将以该测试证书签名；仅供演示和测试，正式环境请配置 GRANTPORTAL_SIGNING_* 指向"
               "民政部门的证书（flask doctor 会列出）。")

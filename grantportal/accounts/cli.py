"""``flask users create-admin``: the first system administrator of a new installation (README「生产部署」); every
other account is opened by an administrator on the site (/admin/users). The password is asked for twice and
never echoed, held to the same policy as on the site (accounts/passwords.py); the account must bind its TOTP at
first sign-in. Audited as the system."""
import re

import click
from flask.cli import with_appcontext

from grantportal.accounts.operations import UsernameTaken, create_user
from grantportal.accounts.passwords import password_problem
from grantportal.core.db import db
from grantportal.core.roles import Role

USERNAME = re.compile(r"[A-Za-z0-9_.@-]{3,40}")  # as accounts/forms.py USERNAME_RULE


def _fail(message):
    click.echo(message, err=True)
    raise click.exceptions.Exit(1)


@click.group("users")
def users_cli():
    """账户。"""


@users_cli.command("create-admin")
@click.argument("username")
@click.option("--name", required=True, help="姓名")
@click.option("--email", default=None, help="电子邮箱（用于找回密码）")
@click.password_option("--password", prompt="初始密码", confirmation_prompt="再次输入密码",
                       help="不写在命令行中：运行时提示输入")
@with_appcontext
def create_admin_command(username, name, email, password):
    """开通系统管理员账户（新安装时的第一个账户）。"""
    if not USERNAME.fullmatch(username):
        _fail("登录名为3–40位字母、数字或 _ . @ -。")
    problem = password_problem(password, username)
    if problem:
        _fail(problem)
    try:
        user = create_user(username, name.strip(), password, role=Role.ADMIN, email=email)
    except UsernameTaken as e:
        _fail(str(e))
    db.session.commit()
    click.echo(f"已开通系统管理员账户 {user.username}。首次登录时须用手机扫码绑定动态口令。")

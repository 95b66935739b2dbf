"""`flask demo load`: demo data for a first look at the platform."""
import click
from flask import current_app
from flask.cli import with_appcontext

from grantportal.accounts.models import User
from grantportal.core.db import db
from grantportal.demo.data import DEMO_LOGINS, MIN_ORGS, load
from grantportal.demo.teams import LABELS
from grantportal.documents.cli import ensure_test_ca

# any mainland mobile number signs in as a citizen (the first time opens the account); this one is printed
DEMO_CITIZEN_PHONE = "13800138000"
# where bin/demo serves the site; the demo's documents print it in their QR codes unless
# GRANTPORTAL_PUBLIC_BASE_URL names another address (outside the demo, issuing is refused without it)
DEMO_ADDRESS = "http://127.0.0.1:5000"
DEMO_BUREAU = {"BUREAU_USCC": "11442000007252497B", "BUREAU_LEGAL_REP": "陈志明",
               "BUREAU_ADDRESS": "广东省中山市东区松苑路1号", "BUREAU_CONTACT_NAME": "李明",
               "BUREAU_CONTACT_PHONE": "0760-88312345", "BUREAU_BANK_NAME": "中国银行中山分行",
               "BUREAU_BANK_ACCOUNT": "660012345678", "BUREAU_BANK_ACCOUNT_NAME": "中山市民政局"}


@click.group()
def demo():
    """演示数据。"""


@demo.command("load")
@click.option("--orgs", default=200, show_default=True, help="社会组织数量")
@with_appcontext
def load_command(orgs):
    """向空数据库载入演示数据，并打印各角色的演示账户。"""

    if orgs < MIN_ORGS:
        raise click.BadParameter(f"至少需要 {MIN_ORGS} 个社会组织。", param_hint="--orgs")
    if db.session.scalar(db.select(db.func.count(User.id))):
        click.echo("数据库中已有数据，未载入演示数据。")
    else:
        if not current_app.config.get("PUBLIC_BASE_URL"):
            current_app.config["PUBLIC_BASE_URL"] = DEMO_ADDRESS
        # the demo bureau's identity, as bin/demo exports it: documents are refused without one
        for key, value in DEMO_BUREAU.items():
            if not current_app.config.get(key):
                current_app.config[key] = value
        if current_app.config.get("BUREAU_NAME") in (None, "", "市民政局"):
            current_app.config["BUREAU_NAME"] = "中山市民政局"
        # the demo's PDFs are signed as production's are: with the test CA's certificate in instance/signing/
        # (`flask documents make-test-ca`), unless the bureau's own certificate is configured
        ensure_test_ca(current_app._get_current_object())
        load(org_count=orgs)
        # the contract PDFs are rendered during the load; their render jobs (queued by issuing the contracts)
        # then only mark themselves done, right after the commit and before this command exits
        current_app.config["JOBS_SYNC"] = True
        db.session.commit()
        click.echo(f"已载入演示数据：{orgs} 个社会组织、15 位评审专家、"
                   "7 个项目征集（征集中、即将截止、草稿、评审中、拟资助项目公示中，以及结果已确定的两届："
                   "第九届的入选/未入选通知书已出具，入选项目已签约履行中，两个逾期未签约的项目由候补递补，"
                   "递补项目分别待确认、待签署；上一年的第八届入选项目均已结项）"
                   "及若干申报、评分、资助方案、拨付和项目报告。")
        click.echo("  社会组织账户 org 的机构有一个履行中的项目（首期已拨付，进度报告待项目官员审核；"
                   "正在整改，后续各期暂停拨付，待提交整改报告）。")
        click.echo("  第三方机构账户 inspector 受委托监管第九届的资助项目，已有一次经项目官员确认的实地检查。")
        click.echo("  第十一届设有现场答辩：出场顺序已随机抽取，答辩时段已排定并通知各申报机构。")
        click.echo("  草根团队负责人 team 的团队挂靠在 org 的机构，其申报待 org 确认申报；"
                   "另有一个团队待 org 确认挂靠。")
    click.echo("演示账户（仅供本机体验，请勿用于生产环境）：")
    for username, _name, role, password in DEMO_LOGINS:
        click.echo(f"  {LABELS.get(username, role.label):<8}  登录名 {username:<10} 密码 {password}")
    where = ("验证码显示在页面上（演示环境）" if current_app.config["SMS_SHOW_CODE"]
             else "验证码以短信发送（设置 GRANTPORTAL_SMS_SHOW_CODE=1 可在页面上显示）")
    click.echo(f"  {'公众':<8}  “公众登录”页面输入手机号 {DEMO_CITIZEN_PHONE}（或任一手机号，首次登录即开通），{where}")

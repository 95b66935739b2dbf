"""Pledge bad input (issue 13 "Bad input": "a pledge of zero or an absurd amount … a clear Chinese message, nothing
counted, nothing lost"): each amount that is zero, negative, too small, too large, malformed or full-width, a
company without its name or with a wrong 统一社会信用代码, a public name missing — a Chinese message next to its
field, what was typed kept, no pledge. The organization's confirmation with bad evidence, dates or amounts: the
same, and no file kept. Wrong ids are 404, other people's pledges 403."""
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from grantportal.core.db import db
from grantportal.core.files import StoredFile
from grantportal.core.timeutil import local_today
from grantportal.pledges.models import PledgeStatus
from tests.pledges.conftest import (
    COMPANY_USCC,
    as_user,
    confirm,
    evidence,
    field_error,
    pledge,
    pledges,
)

AMOUNTS = {
    "zero": ("0", "认捐金额不能为0元，请填写不少于1元的金额"),
    "zero with cents": ("0.00", "认捐金额不能为0元"),
    "negative": ("-50", "金额不能为负数"),
    "below the least": ("0.50", "认捐金额不能少于1元"),
    "absurd": ("1000000.01", "单笔认捐金额不能超过100万元"),
    "far too long": ("99999999999999", "金额格式不正确"),
    "three decimals": ("100.125", "金额最多保留两位小数"),
    "words": ("一千元", "请使用半角数字填写金额"),
    "full-width digits": ("１０００", "请使用半角数字填写金额"),
    "exponent": ("1e3", "金额格式不正确"),
    "empty": ("  ", "请填写金额"),
}


@pytest.mark.parametrize("case", list(AMOUNTS))
def test_a_bad_amount_is_said_next_to_it_and_nothing_is_pledged(client, world, case):
    typed, message = AMOUNTS[case]
    as_user(client, world.citizen)
    resp = pledge(client, world.contract, typed, public_name="陈先生和家人")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in field_error(html, "amount"), html[:3000]
    assert "陈先生和家人" in html and "您已填写的内容已保留" in html  # what was typed stays
    assert f'value="{typed}"' in html or not typed.strip()
    assert pledges() == []


def test_the_least_and_the_most_are_accepted(client, world):
    as_user(client, world.citizen)
    assert pledge(client, world.contract, "1").status_code == 303
    assert pledge(client, world.contract, "1000000.00").status_code == 303
    assert [p.amount for p in pledges()] == [1, 1000000]


OTHER_FIELDS = {
    "company without a name": (dict(donor_kind="company", company_uscc=COMPANY_USCC), "company_name",
                               "请填写您所代表企业的名称"),
    "company with a wrong check character": (
        dict(donor_kind="company", company_name="中山市岐江实业有限公司", company_uscc=COMPANY_USCC[:-1] + "3"),
        "company_uscc", "第18位校验位不正确"),
    "company with a short code": (dict(donor_kind="company", company_name="中山市岐江实业有限公司",
                                       company_uscc="9144200"), "company_uscc", "应为18位"),
    "named without a name": (dict(public_name=" "), "public_name", "请填写公开显示的名称，或选择以“爱心人士”匿名公开"),
    "a name too long": (dict(public_name="长" * 41), "public_name", "不能超过40个字"),
}


@pytest.mark.parametrize("case", list(OTHER_FIELDS))
def test_a_missing_or_wrong_detail_is_said_next_to_its_field(client, world, case):
    more, name, message = OTHER_FIELDS[case]
    as_user(client, world.citizen)
    resp = pledge(client, world.contract, "2000", **more)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in field_error(html, name), html[:3000]
    assert 'value="2000"' in html
    assert pledges() == []


def test_an_unknown_choice_is_refused(client, world):
    as_user(client, world.citizen)
    resp = pledge(client, world.contract, "2000", donor_kind="government", display="shout")
    assert resp.status_code == 400 and "请从选项中选择" in resp.get_data(as_text=True)
    assert pledges() == []


def stored_files():
    return db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile))


def files_in_storage():
    return sorted(p.name for p in Path(current_app.config["STORAGE_DIR"]).rglob("*") if p.is_file())


@pytest.fixture
def pledged(client, world):
    """The world citizen's pledge of 2,000 on the project, and the client signed in as its organization's member."""
    as_user(client, world.citizen)
    assert pledge(client, world.contract, "2000").status_code == 303
    (item,) = pledges()
    as_user(client, world.member)
    return item


RECEIPTS = {
    "no evidence": (dict(file=False), "evidence", "请上传到账凭证"),
    "a Word file": (dict(file=evidence(b"PK\x03\x04", "回单.docx")), "evidence", "请上传 PDF、JPG、JPEG、PNG 格式"),
    "not a PDF inside": (dict(file=evidence(b"just text", "回单.pdf")), "evidence", "文件内容与扩展名 .pdf 不符"),
    "no date": (dict(received_on=""), "received_on", "请填写到账日期"),
    "a date in the future": (dict(received_on="2100-01-01"), "received_on", "到账日期不能晚于今天"),
    "before the pledge": (dict(received_on="2020-01-01"), "received_on", "到账日期不能早于认捐日期"),
    "a malformed date": (dict(received_on="明天"), "received_on", "请按“年-月-日”填写日期"),
    "zero received": (dict(amount="0"), "amount", "到账金额不能为0元"),
    "absurd received": (dict(amount="5000000"), "amount", "单笔到账金额不能超过100万元"),
    "malformed received": (dict(amount="2,000.5.5"), "amount", "金额格式不正确"),
}


@pytest.mark.parametrize("case", list(RECEIPTS))
def test_a_bad_confirmation_is_said_next_to_its_field_and_nothing_is_kept(client, pledged, case):
    more, name, message = RECEIPTS[case]
    before = stored_files(), files_in_storage()
    resp = confirm(client, pledged, note="对公转账，附言注明了认捐编号。", **more)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in field_error(html, name), html[:3000]
    assert "对公转账，附言注明了认捐编号。" in html  # what was typed stays
    db.session.expire_all()
    assert pledges()[0].status == PledgeStatus.PLEDGED and pledges()[0].evidence_file_id is None
    assert (stored_files(), files_in_storage()) == before


def test_a_return_needs_its_reason(client, world, pledged):
    assert confirm(client, pledged).status_code == 303
    as_user(client, world.officer)
    resp = client.post(f"/manage/pledges/{pledged.id}/return", data={"reason": "  "})
    assert resp.status_code == 400 and "请写明退回的理由" in field_error(resp.get_data(as_text=True), "reason")
    db.session.refresh(pledged)
    assert pledged.status == PledgeStatus.RECEIVED


def test_wrong_ids_are_404_and_other_peoples_pledges_403(client, world, pledged):
    assert confirm(client, pledged).status_code == 303
    missing = pledged.id + 1000
    as_user(client, world.citizen)
    for url in (f"/pledges/{missing}", f"/projects/{world.contract.id + 1000}/pledges/new"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/pledges/{missing}/withdraw").status_code == 404
    as_user(client, world.other_citizen)
    assert client.get(f"/pledges/{pledged.id}").status_code == 403
    assert client.post(f"/pledges/{pledged.id}/withdraw").status_code == 403
    as_user(client, world.other_member)
    for url in (f"/my/pledges/{pledged.id}", f"/pledges/{pledged.id}/evidence"):
        assert client.get(url).status_code == 403, url
    assert pledged.reference not in client.get("/my/pledges").get_data(as_text=True)
    assert confirm(client, pledged).status_code == 403
    as_user(client, world.member)
    for url in (f"/my/pledges/{missing}", f"/pledges/{missing}/evidence"):
        assert client.get(url).status_code == 404, url
    as_user(client, world.officer)
    assert client.get(f"/manage/pledges/{missing}").status_code == 404
    assert client.post(f"/manage/pledges/{missing}/verify").status_code == 404
    as_user(client, world.auditor)
    assert client.get(f"/manage/pledges/{pledged.id}").status_code == 200
    assert client.post(f"/manage/pledges/{pledged.id}/verify").status_code == 403
    db.session.refresh(pledged)
    assert pledged.status == PledgeStatus.RECEIVED and pledged.received_on == local_today()

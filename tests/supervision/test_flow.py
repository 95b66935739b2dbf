"""随手拍 moderation end to end (issue 13, DESIGN.md §4 Public participation): a citizen files a report with a
photo from the project's page; an officer assigns it, asks the organization, which answers; the officer records
the finding and its public summary; the project's page shows the finding with personal numbers masked and never
the reporter; the reporter is told at each step and follows it in 我的参与. Every step is in the audit log."""
import io
import re

import sqlalchemy as sa
from PIL import Image

from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.notices import Notice
from grantportal.core.storage import get_storage
from grantportal.supervision.models import CloseKind, Finding, SupervisionStatus
from grantportal.supervision.queries import public_findings
from tests.citizens.conftest import CODE, code_in, sms  # noqa: F401  (sms: a fixture, used by name)
from tests.core.test_photos import GPS_IFD
from tests.supervision.conftest import REPORT_TEXT, as_user, file_report, photo, reports

SUMMARY = "经核查，该饭堂因厨房设备检修暂停服务两天，已于次日恢复。联系人电话13812345678已要求机构在门口公示。"


def notices_of(user):
    return db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)).all()


def actions():
    """The audited steps on reports (each step's notices are logged under the same action)."""
    return db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "supervision_report")
                              .order_by(AuditEntry.id)).all()


def test_a_report_goes_from_the_citizen_through_the_organization_to_a_public_finding(client, world):
    w = world
    project = f"/projects/{w.contract.id}"
    page = client.get(project).get_data(as_text=True)
    assert f'href="{project}/supervision/new"' in page and "随手拍监督" in page

    # the citizen files a report with a photo
    as_user(client, w.citizen)
    form = client.get(f"{project}/supervision/new").get_data(as_text=True)
    assert "个人信息，由报告人负责" in form and "最多3张" in form
    resp = file_report(client, w.contract, photos=[photo()])
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    (report,) = reports()
    assert resp.headers["Location"].endswith(f"/supervision/{report.id}")
    assert report.status == SupervisionStatus.PENDING and report.text == REPORT_TEXT and len(report.photos) == 1
    mine = client.get(f"/supervision/{report.id}").get_data(as_text=True)
    assert "已提交，待受理" in mine and REPORT_TEXT in mine

    # the queue: newest first, filtered by status
    as_user(client, w.officer)
    queue = client.get("/manage/supervision?status=pending").get_data(as_text=True)
    assert "待分派（1）" in queue and w.contract.award.application.title in queue
    assert "没有“已答复”的报告" in client.get("/manage/supervision?status=answered").get_data(as_text=True)

    # assigned to another officer: the reporter hears it was taken up, the assignee that it waits for them
    resp = client.post(f"/manage/supervision/{report.id}/assign", data={"assignee": str(w.officer2.id)})
    assert resp.status_code == 303
    db.session.refresh(report)
    assert report.status == SupervisionStatus.ASSIGNED and report.assigned_to_id == w.officer2.id
    assert [n.title for n in notices_of(w.citizen)] == ["您的随手拍监督报告已受理"]
    assert notices_of(w.officer2)[-1].link == f"/manage/supervision/{report.id}"

    # the assignee asks the organization; its member sees the report, never who filed it
    as_user(client, w.officer2)
    resp = client.post(f"/manage/supervision/{report.id}/ask",
                       data={"question": "请说明饭堂暂停服务的原因和恢复时间。"})
    assert resp.status_code == 303
    assert notices_of(w.member)[-1].title == "请答复随手拍监督报告"
    as_user(client, w.member)
    listing = client.get("/my/supervision").get_data(as_text=True)
    assert "待答复" in listing
    page = client.get(f"/my/supervision/{report.id}").get_data(as_text=True)
    assert REPORT_TEXT in page and "请说明饭堂暂停服务的原因" in page
    assert w.citizen.name not in page and w.citizen_phone not in page
    photo_url = f"/supervision/{report.id}/photos/{report.photos[0].id}"
    assert photo_url in page and client.get(photo_url).status_code == 200
    resp = client.post(f"/my/supervision/{report.id}", data={"answer": "厨房燃气灶检修，暂停两天，已恢复供餐。"})
    assert resp.status_code == 303
    assert notices_of(w.officer2)[-1].title == "承接机构已答复随手拍监督报告"

    # the finding, with a phone number in the summary: public, masked, without the reporter
    as_user(client, w.officer2)
    page = client.get(f"/manage/supervision/{report.id}").get_data(as_text=True)
    assert "厨房燃气灶检修" in page and "公众账户 " + w.citizen.name in page
    resp = client.post(f"/manage/supervision/{report.id}/finding",
                       data={"finding": Finding.PARTLY.value, "public_summary": SUMMARY})
    assert resp.status_code == 303
    db.session.refresh(report)
    assert report.status == SupervisionStatus.ANSWERED and report.finding == Finding.PARTLY

    client.delete_cookie("gp_session")
    public = client.get(project).get_data(as_text=True)
    section = public[public.index('id="supervision"'):]
    assert "部分属实" in section and "138****5678" in section and "13812345678" not in public
    assert "厨房设备检修暂停服务两天" in section
    for private in (REPORT_TEXT, w.citizen.name, w.citizen_phone, "厨房燃气灶检修", "幸福社区长者饭堂"):
        assert private not in public
    shown, total = public_findings(w.contract, limit=1)  # a page of one: the count is read, not the rows counted
    assert total == 1 and "138****5678" in shown[0].summary

    # the reporter was told, and follows it in 我的参与
    titles = [n.title for n in notices_of(w.citizen)]
    assert titles == ["您的随手拍监督报告已受理", "您的随手拍监督报告已办结：部分属实"]
    assert "13812345678" not in notices_of(w.citizen)[-1].body
    as_user(client, w.citizen)
    home = client.get("/citizen/").get_data(as_text=True)
    assert "已答复：部分属实" in home and f"/supervision/{report.id}" in home
    assert "部分属实" in client.get(f"/supervision/{report.id}").get_data(as_text=True)
    assert actions() == ["supervision.file", "supervision.assign", "supervision.ask_org", "supervision.answer",
                         "supervision.conclude"]


def test_the_stored_photo_has_no_exif_or_gps(client, world):
    original = photo()[0].getvalue()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the phone photo does carry a place
    as_user(client, world.citizen)
    assert file_report(client, world.contract, photos=[photo(original)]).status_code == 303
    (report,) = reports()
    stored = get_storage().read(report.photos[0].file.storage_key)
    img = Image.open(io.BytesIO(stored))
    assert not img.getexif() and "exif" not in img.info and b"Exif" not in stored
    assert b"ExamplePhone" not in stored and b"2026:12:01" not in stored
    served = client.get(f"/supervision/{report.id}/photos/{report.photos[0].id}")
    assert served.data == stored and served.headers["Content-Disposition"].startswith("inline")


def test_an_anonymous_visitor_signs_in_as_a_citizen_and_comes_back_to_the_form(client, world, sms):  # noqa: F811
    url = f"/projects/{world.contract.id}/supervision/new"
    resp = client.get(url)
    assert resp.status_code == 302
    login = resp.headers["Location"]
    assert login == "/citizen/login?next=%2Fprojects%2F" + f"{world.contract.id}%2Fsupervision%2Fnew"
    resp = client.post(login, data={"phone": world.citizen_phone})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(CODE)
    resp = client.post(CODE, data={"code": code_in(sms[-1][1])})
    assert resp.status_code == 302 and resp.headers["Location"] == url
    assert "提交报告" in client.get(url).get_data(as_text=True)


def test_a_duplicate_is_closed_with_a_reason_the_reporter_is_told_and_nothing_is_public(client, world):
    w = world
    as_user(client, w.citizen)
    file_report(client, w.contract)
    as_user(client, w.other_citizen)
    file_report(client, w.contract, text=REPORT_TEXT + "同一件事，我的电话13900001111。")
    first, second = reports()
    logged = db.session.scalar(sa.select(AuditEntry.after).where(AuditEntry.action == "supervision.file",
                                                                 AuditEntry.object_id == str(second.id)))
    assert "同一件事，我的电话139****1111" in logged and "13900001111" not in logged  # the log keeps it masked
    as_user(client, w.officer)
    resp = client.post(f"/manage/supervision/{second.id}/close",
                       data={"kind": CloseKind.DUPLICATE.value,
                             "reason": f"与第{first.id}号报告反映的是同一事项，已合并处理。"})
    assert resp.status_code == 303
    db.session.refresh(second)
    assert second.status == SupervisionStatus.CLOSED and second.close_kind == CloseKind.DUPLICATE
    told = notices_of(w.other_citizen)
    assert [n.title for n in told] == ["您的随手拍监督报告已关闭"] and "同一事项" in told[0].body
    assert "已关闭（1）" in client.get("/manage/supervision?status=closed").get_data(as_text=True)
    public = client.get(f"/projects/{w.contract.id}").get_data(as_text=True)
    assert "暂无已答复的随手拍监督报告" in public and "同一件事" not in public
    # a closed report takes no further step
    resp = client.post(f"/manage/supervision/{second.id}/assign", data={"assignee": str(w.officer.id)})
    assert resp.status_code == 409 and "该报告已关闭，不能再处理" in resp.get_data(as_text=True)
    assert actions() == ["supervision.file", "supervision.file", "supervision.close"]


def test_a_double_clicked_submit_makes_one_report(client, world):
    as_user(client, world.citizen)
    first, again = file_report(client, world.contract), file_report(client, world.contract)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] and len(reports()) == 1
    assert re.search(r"/supervision/\d+$", again.headers["Location"])

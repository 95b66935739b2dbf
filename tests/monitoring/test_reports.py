"""The organization files its reports; the officer accepts them or returns them for revision."""
import io

import pytest

from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from grantportal.funding.models import ContractStatus
from grantportal.monitoring import operations as ops
from grantportal.monitoring.models import Report, ReportKind, ReportStatus
from tests.monitoring.conftest import filled, png_bytes, report_of


def _form(report, **over):
    lines = ops.budget_lines(report)
    data = {"version": str(report.version), "activities": "开展社区长者探访12次。", "served_count": "120",
            "outcomes": "建立长者档案40份。"}
    data.update({f"spending-{i}-spent": "1000.00" for i in range(len(lines))})
    data.update(over)
    return data


def _fresh(report_id):
    db.session.expire_all()
    return db.session.get(Report, report_id)


def test_the_form_lists_the_budget_lines_with_their_planned_amounts(client, auth, scheduled):
    report = scheduled.reports[0]
    auth.login(scheduled.member)
    body = client.get(f"/reports/{report.id}").get_data(as_text=True)
    for line in ops.budget_lines(report):
        assert line.item in body
    assert "¥50,000.00" in body and "保存草稿" in body and "提交报告" in body


def test_a_member_saves_a_draft_then_submits(client, auth, scheduled):
    report = scheduled.reports[0]
    auth.login(scheduled.member)
    resp = client.post(f"/reports/{report.id}", data=_form(report, save="y", outcomes=""))
    assert resp.status_code == 303
    report = _fresh(report.id)
    assert report.status == ReportStatus.DRAFT and report.served_count == 120
    resp = client.post(f"/reports/{report.id}", data=_form(report, submit="y"))
    assert resp.status_code == 303
    report = _fresh(report.id)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by_id == scheduled.member.id
    assert [row.spent for row in report.spending] == [row.planned * 0 + 1000 for row in report.spending]
    assert report.spending[0].planned == ops.budget_lines(report)[0].amount


def test_submitting_needs_every_part_filled(client, auth, scheduled):
    report = scheduled.reports[0]
    auth.login(scheduled.member)
    resp = client.post(f"/reports/{report.id}", data=_form(report, submit="y", outcomes=""))
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert "请填写取得的成效" in body and "开展社区长者探访12次" in body  # what was typed is kept
    assert _fresh(report.id).status == ReportStatus.DUE


@pytest.mark.parametrize("value", ["-1", "12.5", "１２０", "很多"])
def test_served_count_must_be_a_whole_number_of_ascii_digits(client, auth, scheduled, value):
    report = scheduled.reports[0]
    auth.login(scheduled.member)
    resp = client.post(f"/reports/{report.id}", data=_form(report, save="y", served_count=value))
    assert resp.status_code == 400
    assert "服务人次须为不小于0的整数" in resp.get_data(as_text=True)
    assert _fresh(report.id).status == ReportStatus.DUE


def test_zero_served_is_accepted(client, auth, scheduled):
    report = scheduled.reports[0]
    auth.login(scheduled.member)
    assert client.post(f"/reports/{report.id}", data=_form(report, save="y", served_count="0")).status_code == 303
    assert _fresh(report.id).served_count == 0


def test_spending_is_ascii_money(client, auth, scheduled):
    report = scheduled.reports[0]
    auth.login(scheduled.member)
    resp = client.post(f"/reports/{report.id}", data=_form(report, save="y", **{"spending-0-spent": "１０００"}))
    assert resp.status_code == 400


def test_photos_are_stored_and_a_non_image_is_refused(client, auth, scheduled):
    report = scheduled.reports[0]
    auth.login(scheduled.member)
    data = _form(report, save="y")
    data["photos"] = [(io.BytesIO(png_bytes()), "活动现场.png")]
    assert client.post(f"/reports/{report.id}", data=data, content_type="multipart/form-data").status_code == 303
    report = _fresh(report.id)
    assert [p.file.original_name for p in report.photos] == ["活动现场.png"]
    photo = report.photos[0]
    resp = client.get(f"/reports/{report.id}/photos/{photo.id}")
    assert resp.status_code == 200 and resp.mimetype == "image/png"

    data = _form(report, save="y", activities="改过的内容")
    data["photos"] = [(io.BytesIO(b"%PDF-1.4 not an image"), "签到表.jpg")]
    resp = client.post(f"/reports/{report.id}", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "文件内容与扩展名 .jpg 不符" in resp.get_data(as_text=True)
    assert _fresh(report.id).activities == "开展社区长者探访12次。"  # nothing saved

    data = _form(report, save="y")
    data["photos"] = [(io.BytesIO(b"%PDF-1.4"), "说明.pdf")]
    resp = client.post(f"/reports/{report.id}", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400 and "JPG、JPEG、PNG" in resp.get_data(as_text=True)


def test_each_photo_gets_a_caption_the_officer_reads(client, auth, scheduled):
    report = scheduled.reports[0]
    auth.login(scheduled.member)
    data = _form(report, save="y")
    data["photos"] = [(io.BytesIO(png_bytes()), "IMG_2034.png")]
    client.post(f"/reports/{report.id}", data=data, content_type="multipart/form-data")
    photo = _fresh(report.id).photos[0]
    too_long = "说明" * 61
    resp = client.post(f"/reports/{report.id}", data={**_form(_fresh(report.id), save="y"),
                                                      f"caption-{photo.id}": too_long})
    assert resp.status_code == 400 and "照片说明每条不超过120个字" in resp.get_data(as_text=True)
    assert too_long in resp.get_data(as_text=True)  # what was typed is kept
    assert _fresh(report.id).photos[0].caption == ""
    client.post(f"/reports/{report.id}", data={**_form(_fresh(report.id), submit="y"),
                                               f"caption-{photo.id}": " 3月12日健康讲座现场 "})
    assert _fresh(report.id).photos[0].caption == "3月12日健康讲座现场"
    auth.logout()
    auth.login(scheduled.officer)
    assert "IMG_2034.png</a>：3月12日健康讲座现场" in client.get(f"/reports/{report.id}").get_data(as_text=True)


def test_at_most_nine_photos(scheduled):
    from werkzeug.datastructures import FileStorage

    report = scheduled.reports[0]
    files = [FileStorage(io.BytesIO(png_bytes()), f"照片{i}.png") for i in range(10)]
    with pytest.raises(ops.MonitoringRefused, match="最多上传9张"):
        ops.add_photos(report, files, scheduled.member)


def test_another_organization_cannot_see_or_file_the_report(client, auth, scheduled):
    report = scheduled.reports[0]
    auth.login(scheduled.other_member)
    assert client.get(f"/reports/{report.id}").status_code == 403
    assert client.post(f"/reports/{report.id}", data=_form(report, save="y")).status_code == 403
    assert client.get(f"/projects/{scheduled.contract.id}/timeline").status_code == 403
    assert client.get("/reports/999999").status_code == 404


def test_a_stale_page_gets_409_and_keeps_what_was_typed(client, auth, scheduled):
    report = scheduled.reports[0]
    auth.login(scheduled.member)
    stale = _form(report, save="y", activities="旧页面上写的内容")
    assert client.post(f"/reports/{report.id}", data=_form(report, save="y")).status_code == 303
    resp = client.post(f"/reports/{report.id}", data=stale)
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)
    assert "您看到的不是最新内容" in body and "旧页面上写的内容" in body
    assert _fresh(report.id).activities == "开展社区长者探访12次。"


def test_no_report_after_closure(client, auth, scheduled):
    report = scheduled.reports[0]
    scheduled.contract.status = ContractStatus.CLOSED
    db.session.commit()
    auth.login(scheduled.member)
    assert "该项目已结项，不再接受报告" in client.get(f"/reports/{report.id}").get_data(as_text=True)
    resp = client.post(f"/reports/{report.id}", data=_form(report, submit="y"))
    assert resp.status_code == 409
    assert "该项目已结项，不再接受报告" in resp.get_data(as_text=True)
    assert _fresh(report.id).status == ReportStatus.DUE


def _submitted(project, kind=ReportKind.PROGRESS):
    report = report_of(project, kind)
    ops.save_report(report, project.member, filled(report), utcnow(), submit=True)
    db.session.commit()
    return report


def test_officer_returns_with_a_note_and_the_org_resubmits(client, auth, scheduled):
    report = _submitted(scheduled)
    auth.login(scheduled.officer)
    resp = client.post(f"/reports/{report.id}/review", data={"version": str(report.version), "send_back": "y"})
    assert resp.status_code == 400 and "退回时请填写修改意见" in resp.get_data(as_text=True)
    resp = client.post(f"/reports/{report.id}/review", data={"version": str(report.version), "send_back": "y",
                                                             "note": "请补充活动照片和签到表。"})
    assert resp.status_code == 303
    report = _fresh(report.id)
    assert report.status == ReportStatus.RETURNED and report.review_note == "请补充活动照片和签到表。"
    assert db.session.scalar(db.select(Notice).where(Notice.user_id == scheduled.member.id,
                                                     Notice.title.contains("退回修改"))) is not None

    auth.logout()
    auth.login(scheduled.member)
    body = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "请补充活动照片和签到表。" in body
    assert client.post(f"/reports/{report.id}", data=_form(report, submit="y")).status_code == 303
    assert _fresh(report.id).status == ReportStatus.SUBMITTED


def test_officer_accepts_a_submitted_report(client, auth, scheduled):
    report = _submitted(scheduled)
    auth.login(scheduled.officer)
    resp = client.post(f"/reports/{report.id}/review", data={"version": str(report.version), "accept": "y"})
    assert resp.status_code == 303
    assert _fresh(report.id).status == ReportStatus.ACCEPTED
    resp = client.post(f"/reports/{report.id}/review", data={"version": str(_fresh(report.id).version),
                                                             "accept": "y"})
    assert resp.status_code == 409  # already accepted


def test_an_unsubmitted_report_cannot_be_reviewed(scheduled):
    with pytest.raises(ops.MonitoringRefused, match="只有已提交的报告才能审核"):
        ops.accept_report(scheduled.reports[0], scheduled.officer, utcnow())


def test_reminder_notifies_members_of_organizations_with_overdue_reports(client, auth, scheduled, monkeypatch):
    from datetime import UTC, datetime

    from grantportal.monitoring import views

    monkeypatch.setattr(views, "utcnow", lambda: datetime(2026, 4, 20, 2, 0, tzinfo=UTC))
    auth.login(scheduled.officer)
    resp = client.post("/manage/monitoring/remind")
    assert resp.status_code == 303
    notices = db.session.scalars(db.select(Notice).where(Notice.title == "报告逾期提醒")).all()
    assert [n.user_id for n in notices] == [scheduled.member.id]
    assert "已逾期5天" in notices[0].body


def test_photos_sent_with_the_submission_are_kept_and_a_refused_one_leaves_no_files(client, auth, scheduled, app):
    from pathlib import Path

    report = scheduled.reports[0]
    auth.login(scheduled.member)
    files = Path(app.config["STORAGE_DIR"])

    def stored():
        return {p for p in files.rglob("*") if p.is_file()}

    before = stored()  # the published results' kept checks
    data = _form(report, submit="y", outcomes="")
    data["photos"] = [(io.BytesIO(png_bytes()), "签到.png")]
    resp = client.post(f"/reports/{report.id}", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400 and "请填写取得的成效" in resp.get_data(as_text=True)
    assert stored() == before
    data = _form(report, submit="y")
    data["photos"] = [(io.BytesIO(png_bytes()), "签到.png")]
    assert client.post(f"/reports/{report.id}", data=data, content_type="multipart/form-data").status_code == 303
    report = _fresh(report.id)
    assert report.status == ReportStatus.SUBMITTED and len(report.photos) == 1

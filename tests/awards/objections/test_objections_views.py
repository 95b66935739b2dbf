"""Objections (异议) through the pages: filing during 公示 (real name, in writing, before the end, checked
evidence), the objector's own pages, and the officer's list and decision."""
import io
import re
from datetime import timedelta

import sqlalchemy as sa

from grantportal.awards.models import Award, AwardStatus, Objection, ObjectionStatus, Proposal
from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from tests import factories as f
from tests.applications.helpers import PDF, PNG
from tests.awards.proposals.test_results_page import award_of, publicized, rows

REASON = "该项目的服务对象与本机构去年获资助项目完全重复，请核实。"


def form(**overrides):
    data = {"real_name": "王晓明", "contact": "13812345678", "reason": REASON}
    data.update(overrides)
    return data


def post_objection(client, award, data=None, files=()):
    data = dict(data or form())
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(f"/awards/{award.id}/objection", data=data, content_type="multipart/form-data")


def text(resp):
    return resp.get_data(as_text=True)


def objection_count():
    return db.session.scalar(sa.select(sa.func.count(Objection.id)))


# --- filing ---------------------------------------------------------------------------------------

def test_anonymous_visitor_is_sent_to_sign_in_first(client, published):
    call, apps, proposal = published
    award = award_of(apps[0])
    resp = client.get(f"/awards/{award.id}/objection")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    resp = post_objection(client, award)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert objection_count() == 0


def test_filing_is_rate_limited(make_app, published):
    call, apps, proposal = published
    award = award_of(apps[0])
    user = f.member_of()
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_OBJECTION="2 per hour").test_client()
    client.post("/login", data={"username": user.username, "password": f.PASSWORD})
    statuses = [post_objection(client, award, form(real_name="")).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]  # refused forms count too: each carries uploads
    assert client.get(f"/awards/{award.id}/objection").status_code == 200  # the form itself is not limited


def test_form_says_name_and_contact_stay_confidential(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    html = text(client.get(f"/awards/{award_of(apps[0]).id}/objection"))
    assert "长者幸福食堂" in html and "真实姓名" in html and "联系电话或电子邮箱" in html
    assert "予以保密" in html and "仅负责处理异议的项目官员可见" in html
    assert 'enctype="multipart/form-data"' in html and "multiple" in html


def test_objection_without_a_name_is_refused_next_to_the_field_and_nothing_is_saved(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    resp = post_objection(client, award_of(apps[0]), form(real_name="  "))
    html = text(resp)
    assert resp.status_code == 400 and "请填写真实姓名" in html
    assert REASON in html and "13812345678" in html  # what was typed is kept
    assert objection_count() == 0


def test_too_short_reason_is_refused(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    resp = post_objection(client, award_of(apps[0]), form(reason="不公平"))
    assert resp.status_code == 400 and "10至5000字" in text(resp)
    assert objection_count() == 0


def test_objection_after_the_period_is_refused_with_the_end_time(client, auth, published):
    call, apps, proposal = published
    proposal = db.session.get(Proposal, proposal.id)
    proposal.ends_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    award = award_of(apps[0])
    auth.login(f.member_of())
    resp = client.get(f"/awards/{award.id}/objection")
    html = text(resp)
    assert resp.status_code == 409 and "公示期已于" in html and "不再受理异议" in html
    assert 'name="reason"' not in html  # no form
    resp = post_objection(client, award)
    assert resp.status_code == 409 and objection_count() == 0
    public = text(client.get(f"/calls/{call.id}/results"))
    assert "不再受理异议" in public and f"/awards/{award.id}/objection" not in public


def test_project_not_on_the_published_list_cannot_be_objected_to(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    resp = client.get(f"/awards/{award_of(apps[4]).id}/objection")  # 未入选
    assert resp.status_code == 409 and "只能对公示名单中的项目提出异议" in text(resp)


def test_award_of_an_unpublished_proposal_is_not_found(client, auth):
    call, apps, proposal = publicized(publish=False)
    auth.login(f.member_of())
    assert client.get(f"/awards/{award_of(apps[0]).id}/objection").status_code == 404


def test_evidence_that_is_not_really_a_pdf_is_refused_and_the_text_is_kept(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    resp = post_objection(client, award_of(apps[0]), files=[(PNG, "情况说明.pdf")])
    html = text(resp)
    assert resp.status_code == 400 and "情况说明.pdf" in html and "与扩展名 .pdf 不符" in html
    assert REASON in html and "请重新选择要上传的文件" in html
    assert objection_count() == 0


def test_evidence_of_another_type_or_too_many_files_is_refused(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    award = award_of(apps[0])
    resp = post_objection(client, award, files=[(b"PK\x03\x04", "说明.docx")])
    assert resp.status_code == 400 and "不支持该文件类型" in text(resp)
    resp = post_objection(client, award, files=[(PDF, f"材料{i}.pdf") for i in range(6)])
    assert resp.status_code == 400 and "最多上传5个文件" in text(resp)
    assert objection_count() == 0


def test_oversize_request_gets_413_and_nothing_is_saved(client, auth, app, published):
    app.config["MAX_CONTENT_LENGTH"] = 4000
    call, apps, proposal = published
    auth.login(f.member_of())
    resp = post_objection(client, award_of(apps[0]), files=[(b"%PDF-" + b"0" * 8000, "证明.pdf")])
    assert resp.status_code == 413 and "文件过大" in text(resp)
    assert objection_count() == 0


def test_double_submit_files_one_objection(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    award = award_of(apps[0])
    first = post_objection(client, award)
    second = post_objection(client, award)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert objection_count() == 1


# --- the objector's pages ---------------------------------------------------------------------------

def test_objector_lists_own_objections_with_an_empty_state_first(client, auth, published):
    call, apps, proposal = published
    member = f.member_of()
    auth.login(member)
    assert "您还没有提出过异议" in text(client.get("/objections/mine"))
    post_objection(client, award_of(apps[1]))
    html = text(client.get("/objections/mine"))
    assert "青少年四点半课堂" in html and "待处理" in html and call.title in html


def test_another_person_cannot_open_the_objection_or_its_evidence(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    post_objection(client, award_of(apps[0]), files=[(PDF, "证明材料.pdf")])
    objection = db.session.scalars(sa.select(Objection)).one()
    evidence = objection.files[0]
    auth.logout()
    auth.login(f.member_of(apps[0].org))  # the organization objected to
    assert client.get(f"/objections/{objection.id}").status_code == 403
    assert client.get(f"/objections/{objection.id}/files/{evidence.id}").status_code == 403


# --- end to end ---------------------------------------------------------------------------------------

def test_upheld_objection_end_to_end(client, auth, published):
    call, apps, proposal = published
    officer = call.created_by
    objector = f.member_of()
    award = award_of(apps[0])

    auth.login(objector)
    resp = post_objection(client, award, form(contact="wangxm@example.cn"), files=[(PDF, "重复资助证明.pdf")])
    assert resp.status_code == 303
    objection = db.session.scalars(sa.select(Objection)).one()
    assert resp.headers["Location"].endswith(f"/objections/{objection.id}")
    own = client.get(resp.headers["Location"])
    html = text(own)
    assert "异议已提交" in html and REASON in html and "重复资助证明.pdf" in html and "待处理" in html
    download = client.get(f"/objections/{objection.id}/files/{objection.files[0].id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert db.session.scalar(sa.select(sa.func.count(Notice.id)).where(
        Notice.user_id == officer.id, Notice.title.contains("收到异议"))) == 1
    auth.logout()

    public = text(client.get(f"/calls/{call.id}/results"))
    assert "王晓明" not in public and "wangxm" not in public and REASON not in public
    assert "正在调查处理的异议1件" in public

    auth.login(officer)
    listing = text(client.get(f"/manage/calls/{call.id}/objections"))
    assert "王晓明" in listing and "wangxm@example.cn" in listing and "长者幸福食堂" in listing
    page = text(client.get(f"/manage/objections/{objection.id}"))
    assert "王晓明" in page and REASON in page and 'name="investigation"' in page
    resp = client.post(f"/manage/objections/{objection.id}", data={
        "outcome": "upheld", "investigation": "经查，该项目已获区财政同一内容资助，属重复申报。",
        "public_summary": "经核实，该项目已获其他财政资金资助，异议成立，取消其入选资格。"})
    assert resp.status_code == 303
    flashed = text(client.get(resp.headers["Location"]))
    assert "异议成立" in flashed and "“残障人士就业支持”" in flashed and "递补入选" in flashed
    assert "已通知异议人" in flashed and 'name="investigation"' not in flashed  # read-only now
    auth.logout()

    assert award_of(apps[0]).status == AwardStatus.CANCELLED
    assert award_of(apps[2]).status == AwardStatus.SELECTED
    public = text(client.get(f"/calls/{call.id}/results"))
    assert not any("长者幸福食堂" in row for row in rows(public))
    assert any("残障人士就业支持" in row and "拟入选" in row for row in rows(public))
    history = public[public.index('id="history"'):]
    assert "公示期间变更" in history and "递补入选" in history
    assert "已获其他财政资金资助" in public and "王晓明" not in public
    assert "经查" not in public  # the investigation stays internal
    notice = db.session.scalars(sa.select(Notice).where(Notice.user_id == objector.id)).one()
    assert notice.title == "您提出的异议已处理" and "异议成立" in notice.body

    auth.login(objector)
    html = text(client.get(f"/objections/{objection.id}"))
    assert "异议成立" in html and "已获其他财政资金资助" in html and "经查" not in html


def test_upheld_objection_without_promotion_leaves_the_reserve_waiting(client, auth):
    call, apps, proposal = publicized(promote_reserve=False)
    auth.login(f.member_of())
    post_objection(client, award_of(apps[0]))
    objection = db.session.scalars(sa.select(Objection)).one()
    auth.logout()
    auth.login(call.created_by)
    resp = client.post(f"/manage/objections/{objection.id}", follow_redirects=True, data={
        "outcome": "upheld", "investigation": "属实。", "public_summary": "异议成立，取消入选资格。"})
    assert "取消“长者幸福食堂”" in text(resp) and "递补" not in text(resp)
    assert award_of(apps[2]).status == AwardStatus.RESERVE


def test_rejected_objection_keeps_the_award(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    post_objection(client, award_of(apps[1]))
    objection = db.session.scalars(sa.select(Objection)).one()
    auth.logout()
    auth.login(call.created_by)
    resp = client.post(f"/manage/objections/{objection.id}", data={
        "outcome": "rejected", "investigation": "两个项目服务对象不同。",
        "public_summary": "经核实，异议不成立，维持公示结果。"})
    assert resp.status_code == 303
    assert "异议不成立" in text(client.get(resp.headers["Location"]))
    assert award_of(apps[1]).status == AwardStatus.SELECTED
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).status == ObjectionStatus.REJECTED
    public = text(client.get(f"/calls/{call.id}/results"))
    assert any("青少年四点半课堂" in row and "拟入选" in row for row in rows(public))
    assert "维持公示结果" in public and "公示期间变更" not in public


def test_decision_needs_an_outcome_an_investigation_and_a_summary(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    post_objection(client, award_of(apps[0]))
    objection = db.session.scalars(sa.select(Objection)).one()
    auth.logout()
    auth.login(call.created_by)
    resp = client.post(f"/manage/objections/{objection.id}", data={"public_summary": "经核实，异议不成立。"})
    html = text(resp)
    assert resp.status_code == 400 and "请选择处理结论" in html and "请填写调查核实情况" in html
    assert "经核实，异议不成立。" in html  # kept
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).is_open
    assert award_of(apps[0]).status == AwardStatus.SELECTED


def test_decided_objection_cannot_be_decided_again(client, auth, published):
    call, apps, proposal = published
    auth.login(f.member_of())
    post_objection(client, award_of(apps[0]))
    objection = db.session.scalars(sa.select(Objection)).one()
    auth.logout()
    auth.login(call.created_by)
    data = {"outcome": "rejected", "investigation": "不属实。", "public_summary": "异议不成立。"}
    assert client.post(f"/manage/objections/{objection.id}", data=data).status_code == 303
    resp = client.post(f"/manage/objections/{objection.id}", data={**data, "outcome": "upheld"})
    assert resp.status_code == 409 and "处理完毕" in text(resp)
    assert award_of(apps[0]).status == AwardStatus.SELECTED


def test_officer_list_filters_by_status_and_auditor_reads_without_a_form(client, auth, published):
    call, apps, proposal = published
    auth.login(f.UserFactory(officer=True))
    assert "尚未收到异议" in text(client.get(f"/manage/calls/{call.id}/objections"))
    auth.logout()
    member = f.member_of()
    auth.login(member)
    post_objection(client, award_of(apps[0]), form(real_name="甲某某"))
    post_objection(client, award_of(apps[1]), form(real_name="乙某某"))
    auth.logout()
    auth.login(call.created_by)
    first = db.session.scalars(sa.select(Objection).where(Objection.real_name == "乙某某")).one()
    client.post(f"/manage/objections/{first.id}", data={
        "outcome": "rejected", "investigation": "不属实。", "public_summary": "异议不成立。"})
    pending = text(client.get(f"/manage/calls/{call.id}/objections?status=received"))
    assert "甲某某" in pending and "乙某某" not in pending
    rejected = text(client.get(f"/manage/calls/{call.id}/objections?status=rejected"))
    assert "乙某某" in rejected and "甲某某" not in rejected
    upheld = text(client.get(f"/manage/calls/{call.id}/objections?status=upheld"))
    assert "没有“异议成立”的异议" in upheld
    auth.logout()
    auth.login(f.UserFactory(auditor=True))
    other = db.session.scalars(sa.select(Objection).where(Objection.real_name == "甲某某")).one()
    html = text(client.get(f"/manage/objections/{other.id}"))
    assert "甲某某" in html and 'name="investigation"' not in html and "只读" in html


def test_staff_cannot_file_objections(client, auth, published):
    call, apps, proposal = published
    auth.login(call.created_by)
    assert client.get(f"/awards/{award_of(apps[0]).id}/objection").status_code == 403
    assert post_objection(client, award_of(apps[0])).status_code == 403
    assert objection_count() == 0


def test_objection_page_of_another_objection_file_is_not_found(client, auth, published):
    call, apps, proposal = published
    member = f.member_of()
    auth.login(member)
    post_objection(client, award_of(apps[0]), files=[(PDF, "一.pdf")])
    post_objection(client, award_of(apps[1]), form(reason=REASON + "另一项目。"), files=[(PDF, "二.pdf")])
    first, second = db.session.scalars(sa.select(Objection).order_by(Objection.id)).all()
    assert client.get(f"/objections/{first.id}/files/{second.files[0].id}").status_code == 404
    resp = client.get(f"/objections/{second.id}/files/{second.files[0].id}")
    assert resp.status_code == 200 and re.search(r"filename\*=UTF-8''", resp.headers["Content-Disposition"])
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 5


# --- the written response of the organization objected to ------------------------------------------------

RESPONSE = "本项目服务东区独居长者，与所称项目的服务对象和内容均不相同，详见申报书。"


def test_the_organization_objected_to_is_told_and_responds_without_learning_who_objected(client, auth, published):
    call, apps, proposal = published
    award = award_of(apps[0])
    org = award.application.org
    responder = f.member_of(org)
    auth.login(f.member_of())
    assert post_objection(client, award).status_code == 303
    objection = db.session.scalar(sa.select(Objection))
    told = db.session.scalars(sa.select(Notice).where(Notice.user_id == responder.id)).all()
    assert [n.link for n in told] == [f"/objections/{objection.id}/response"]
    auth.logout()
    auth.login(responder)
    page = text(client.get(f"/objections/{objection.id}/response"))
    assert REASON in page and "王晓明" not in page and "13812345678" not in page
    short = client.post(f"/objections/{objection.id}/response", data={"response": "不属实"})
    assert short.status_code == 400 and "答复应为10至5000字" in text(short) and "不属实" in text(short)
    assert db.session.get(Objection, objection.id).response is None
    resp = client.post(f"/objections/{objection.id}/response", data={"response": RESPONSE})
    assert resp.status_code == 303
    db.session.expire_all()
    stored = db.session.get(Objection, objection.id)
    assert stored.response == RESPONSE and stored.responded_by_id == responder.id
    officer_told = db.session.scalars(sa.select(Notice).where(Notice.user_id == call.created_by_id)
                                      .order_by(Notice.id)).all()
    assert officer_told[-1].title.endswith("异议收到书面答复")
    assert "本机构项目收到的异议" in text(client.get("/objections/mine"))
    auth.logout()
    auth.login(call.created_by)
    decide_page = text(client.get(f"/manage/objections/{objection.id}"))
    assert "被异议机构的书面答复" in decide_page and RESPONSE in decide_page


def test_no_response_once_the_objection_is_decided(client, auth, published):
    call, apps, proposal = published
    award = award_of(apps[0])
    responder = f.member_of(award.application.org)
    objection = Objection(award=award, filed_by=f.member_of(), filed_at=utcnow(), real_name="王晓明",
                          contact="13812345678", reason=REASON)
    db.session.add(objection)
    db.session.commit()
    from grantportal.awards.objections.operations import decide

    decide(objection, call.created_by, utcnow(), False, "经核实不属实。", "经核实，异议反映的问题不属实。")
    db.session.commit()
    auth.login(responder)
    page = text(client.get(f"/objections/{objection.id}/response"))
    assert "处理完毕，不再接收书面答复" in page and "<textarea" not in page
    resp = client.post(f"/objections/{objection.id}/response", data={"response": RESPONSE})
    assert resp.status_code == 409 and "处理完毕，不再接收书面答复" in text(resp)
    assert db.session.get(Objection, objection.id).response is None

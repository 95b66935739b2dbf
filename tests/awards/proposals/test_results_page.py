"""The public results page (公示 and final results, with history) and the applicant's view of its award."""
import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event

from grantportal.accounts.models import User
from grantportal.awards.models import Award, AwardStatus, Objection, Proposal
from grantportal.awards.objections import operations as objections
from grantportal.awards.proposals import operations as ops
from grantportal.awards.proposals import publicity
from grantportal.awards.proposals.views import public as results_page
from grantportal.calls.models import CallStatus, Level
from grantportal.core.db import db, utcnow
from grantportal.core.roles import Role
from grantportal.orgs.models import Grade
from tests import factories as f

SPECS = [
    {"total": 90, "requested": "80000", "title": "长者幸福食堂", "grade": Grade.A4},
    {"total": 85, "requested": "80000", "title": "青少年四点半课堂"},
    {"total": 80, "requested": "80000", "title": "残障人士就业支持"},
    {"total": 75, "requested": "80000", "title": "社区邻里互助"},
    {"total": 70, "requested": "80000", "title": "流动儿童阅读角"},
]


def publicized(specs=SPECS, budget="160000", publish=True, reserve_per_level=2, **call_kw):
    """A ranked call: 市级 16万 funds the first two 8万 projects, the next two are reserve 1 and 2, the
    fifth is not selected. Published for 5 working days from now unless ``publish=False``."""
    call, apps = f.ranked_call(specs, reserve_per_level=reserve_per_level, **call_kw)
    next(lv for lv in call.levels if lv.level == Level.CITY).budget_total = Decimal(budget)
    db.session.commit()
    proposal = ops.generate(call, call.created_by, utcnow())
    if publish:
        publicity.publish(proposal, call.created_by, utcnow(), 5)
    db.session.commit()
    return call, apps, proposal


def award_of(app):
    db.session.expire_all()
    return db.session.scalar(sa.select(Award).where(Award.application_id == app.id))


def file_and_decide(award, upheld, public_summary, filer=None):
    """An objection filed by a member of another organization and decided by the call's officer."""
    filer = filer or f.member_of()
    objection = objections.file_objection(award, filer, utcnow(), "王晓明", "13812345678",
                                          "该项目的服务对象与另一已资助项目重复，请核实。")
    db.session.commit()
    objections.decide(objection, award.proposal.call.created_by, utcnow(), upheld, "经现场核实。", public_summary)
    db.session.commit()
    return objection


def page(client, call):
    resp = client.get(f"/calls/{call.id}/results")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def rows(html):
    """The projects' table rows (every level), header rows left out."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    return [row for body in bodies for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_publicity_page_lists_selected_and_reserve_projects_with_period_countdown_and_how_to_object(client, published):
    call, apps, proposal = published
    html = page(client, call)
    assert "<h1>拟资助项目公示</h1>" in html and "评审结果公告（最终）" not in html
    assert re.search(r"距公示结束还有\d+天\d+小时", html)
    assert "17:00（北京时间）" in html  # the period's end with its time of day
    body = rows(html)
    assert len(body) == 4
    assert "长者幸福食堂" in body[0] and "拟入选" in body[0] and "8万元" in body[0] and apps[0].org.name in body[0]
    assert "残障人士就业支持" in body[2] and "候补第1位" in body[2]
    assert "社区邻里互助" in body[3] and "候补第2位" in body[3]
    assert "流动儿童阅读角" not in html  # not selected: not published
    assert "实名" in html and "保密" in html
    award = award_of(apps[0])
    assert f'href="/login?next=/awards/{award.id}/objection"' in html and "登录后提出异议" in html
    assert "countdown.js" in html and "<script>" not in html


def test_signed_in_member_gets_an_objection_link_staff_do_not(client, auth, published):
    call, apps, proposal = published
    award = award_of(apps[1])
    auth.login(f.member_of())
    assert f'href="/awards/{award.id}/objection"' in page(client, call)
    auth.logout()
    auth.login(call.created_by)
    html = page(client, call)
    assert "/objection\"" not in html and "登录后提出异议" not in html


def test_scores_and_tier_bonus_are_hidden_unless_the_call_publishes_scores(client):
    rules = {"bonus_by_grade": {"4A": "3"}}
    call, apps, proposal = publicized(tier_rules=rules)
    html = page(client, call)
    assert "93.00" not in html and "最终得分" not in html and "加分" not in html
    call.publish_scores = True
    db.session.commit()
    first = rows(page(client, call))[0]
    assert "长者幸福食堂" in first and "93.00" in first and "评估等级4A" in first and "加分3.00分" in first


def test_panel_names_follow_publish_panel_and_never_say_who_scored_what(client, published):
    call, apps, proposal = published
    names = sorted(db.session.scalars(sa.select(User.name).where(User.role == Role.EXPERT)).all())
    html = page(client, call)
    assert "评审专家" in html and "、".join(names) in html
    for name in names:
        assert html.count(name) == 1  # in the sorted list only, never next to a project
    assert all(name not in row for row in rows(html) for name in names)
    call.publish_panel = False
    db.session.commit()
    html = page(client, call)
    assert "评审专家" not in html and not any(name in html for name in names)


def test_public_summary_is_masked_and_the_objector_stays_anonymous(client, published):
    call, apps, proposal = published
    file_and_decide(award_of(apps[1]), False,
                    "经核实，异议不成立。联系人电话13912345678，身份证号350102199001011234。")
    html = page(client, call)
    assert "139****5678" in html and "35*************234" in html
    assert "13912345678" not in html and "350102199001011234" not in html
    assert "王晓明" not in html and "13812345678" not in html  # the objector's name and contact
    assert "异议不成立" in html and "关于“青少年四点半课堂”的异议" in html
    assert "服务对象与另一已资助项目重复" not in html  # the objection's own text is not published


def test_upheld_objection_shows_in_the_history_and_the_reserve_moves_up(client, published):
    call, apps, proposal = published
    file_and_decide(award_of(apps[0]), True, "经核实，该机构同一项目已获其他财政资金资助，取消入选资格。")
    html = page(client, call)
    body = rows(html)
    assert not any("长者幸福食堂" in row for row in body)
    assert any("残障人士就业支持" in row and "拟入选" in row for row in body)
    assert any("社区邻里互助" in row and "候补第1位" in row for row in body)  # the reserves numbered again
    history = html[html.index('id="history"'):]
    assert history.index("发布公示") < history.index("公示期间变更")
    assert "取消“长者幸福食堂”" in history and "“残障人士就业支持”" in history and "递补入选" in history


def test_final_results_replace_the_publicity_heading(client, published):
    call, apps, proposal = published
    proposal.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    publicity.confirm(proposal, call.created_by, utcnow())
    db.session.commit()
    html = page(client, call)
    assert "<h1>评审结果公告（最终）</h1>" in html and "<h1>拟资助项目公示</h1>" not in html
    assert "距公示结束" not in html and "提出异议" not in html
    body = rows(html)
    assert "长者幸福食堂" in body[0] and "入选" in body[0] and "拟入选" not in body[0]
    assert "候补第1位" in body[2]
    assert "确定最终结果" in html and "发布公示" in html


def test_draft_call_has_no_results_page(client):
    call = f.CallFactory(status=CallStatus.DRAFT, published_at=None)
    assert client.get(f"/calls/{call.id}/results").status_code == 404
    assert client.get("/calls/999999/results").status_code == 404


def test_results_not_yet_published_show_an_empty_state(client):
    call = f.CallFactory()
    assert "评审结果尚未公示" in page(client, call)
    draft_call, apps, proposal = publicized(publish=False)
    html = page(client, draft_call)
    assert "评审结果尚未公示" in html and "长者幸福食堂" not in html


def test_long_levels_are_paged(client, monkeypatch, published):
    monkeypatch.setattr(results_page, "PER_LEVEL", 3)
    call, apps, proposal = published
    first = page(client, call)
    assert len(rows(first)) == 3 and "第 1 / 2 页" in first
    resp = client.get(f"/calls/{call.id}/results?level=city&page=2")
    second = rows(resp.get_data(as_text=True))
    assert len(second) == 1 and "社区邻里互助" in second[0] and ">4<" in second[0]


def test_page_queries_do_not_grow_with_the_number_of_projects(client, app):
    def count_queries(call):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            page(client, call)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    small, _, _ = publicized(SPECS[:3], budget="80000", reserve_per_level=1)
    big, _, _ = publicized(SPECS + [{"total": 60 + i, "requested": "80000"} for i in range(6)],
                           budget="480000", reserve_per_level=3)
    assert count_queries(big) == count_queries(small)


def test_call_page_links_to_the_results_once_published(client):
    call, apps, proposal = publicized(publish=False)
    assert f"/calls/{call.id}/results" not in client.get(f"/calls/{call.id}").get_data(as_text=True)
    publicity.publish(db.session.get(Proposal, proposal.id), call.created_by, utcnow(), 5)
    db.session.commit()
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert f'href="/calls/{call.id}/results"' in html and "拟资助项目公示" in html


# --- the applicant's view -------------------------------------------------------------------------

def test_applicant_sees_nothing_before_publication_then_the_status_amount_and_reasons(client, auth):
    call, apps, proposal = publicized(publish=False, tier_rules={"bonus_by_grade": {"4A": "3"}})
    member = f.member_of(apps[0].org)
    auth.login(member)
    html = client.get(f"/applications/{apps[0].id}").get_data(as_text=True)
    assert "评审结果（公示中）" not in html and "拟入选" not in html
    publicity.publish(db.session.get(Proposal, proposal.id), call.created_by, utcnow(), 5)
    db.session.commit()
    html = client.get(f"/applications/{apps[0].id}").get_data(as_text=True)
    assert "评审结果（公示中）" in html and "拟入选" in html and "拟资助金额" in html and "8万元" in html
    assert "评估等级4A" in html and "加3分" in html  # the tier rule that applied, with the grade in force
    assert "在市级排名第1位" in html


def test_applicant_sees_reserve_place_and_final_reason(client, auth, published):
    call, apps, proposal = published
    member = f.member_of(apps[2].org)
    auth.login(member)
    html = client.get(f"/applications/{apps[2].id}").get_data(as_text=True)
    assert "候补第1位" in html and "递补时资助" in html
    proposal = db.session.get(Proposal, proposal.id)
    proposal.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    publicity.confirm(proposal, call.created_by, utcnow())
    db.session.commit()
    html = client.get(f"/applications/{apps[2].id}").get_data(as_text=True)
    assert "最终评审结果" in html and "候补第1位" in html and "按顺序递补" in html


def test_applicant_sees_the_cancellation_after_an_upheld_objection(client, auth, published):
    call, apps, proposal = published
    file_and_decide(award_of(apps[0]), True, "经核实，取消入选资格。")
    auth.login(f.member_of(apps[0].org))
    html = client.get(f"/applications/{apps[0].id}").get_data(as_text=True)
    assert "已撤销" in html and "异议成立，取消入选资格" in html
    assert db.session.scalar(sa.select(sa.func.count(Objection.id))) == 1
    assert award_of(apps[0]).status == AwardStatus.CANCELLED

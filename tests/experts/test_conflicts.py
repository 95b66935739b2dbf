from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from grantportal.applications.models import Application, AppStatus
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import local_today
from grantportal.experts.conflicts import (
    conflict_reasons,
    conflicted_applications,
    conflicts_for_round,
    detected_reasons,
)
from grantportal.experts.models import Conflict, ConflictSource, ExpertProfile
from tests.factories import (
    ApplicationFactory,
    ExpertAffiliationFactory,
    OrganizationFactory,
    UserFactory,
    expert,
)


def _actions():
    return set(db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.object_type == "conflict")))


def _user(user_id):
    from grantportal.accounts.models import User

    return db.session.get(User, user_id)


def test_expert_declares_a_conflict_against_an_organization_found_by_name(client, auth):
    org = OrganizationFactory(name="中山市石岐区阳光社会工作服务中心")
    OrganizationFactory(name="中山市东区阳光长者服务中心")
    app = ApplicationFactory(org=org, status=AppStatus.SUBMITTED, number="BA100-2026-0007")
    user = expert(user_name="林晓")
    auth.login(user)
    data = {"target": "org", "org_query": "阳光", "reason": "2022年起担任该中心理事"}
    resp = client.post("/expert/conflicts/new", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "找到多个匹配的机构" in page
    assert 'name="org_pick"' in page and "东区阳光长者服务中心" in page and "2022年起担任该中心理事" in page
    resp = client.post("/expert/conflicts/new", data={**data, "org_pick": str(org.id)})
    assert resp.status_code == 302
    (conflict,) = db.session.scalars(db.select(Conflict)).all()
    assert conflict.source == ConflictSource.DECLARED and conflict.org_id == org.id
    assert conflict.set_by_id == user.id
    (reason,) = conflict_reasons(_user(user.id), app)
    assert reason.reason == "2022年起担任该中心理事" and reason.set_by == "林晓"
    page = client.get("/expert/conflicts").get_data(as_text=True)
    assert "阳光社会工作服务中心" in page and "专家申报" in page and "回避中" in page
    assert "expert.conflict_declare" in _actions()


def test_expert_declares_by_code_or_application_number_and_bad_input_is_explained(client, auth):
    org = OrganizationFactory()
    pending = OrganizationFactory(pending=True)
    app = ApplicationFactory(status=AppStatus.SUBMITTED, number="BA100-2026-0001")
    user = expert()
    auth.login(user)
    resp = client.post("/expert/conflicts/new", data={"target": "org", "org_query": pending.uscc, "reason": "亲属"})
    assert "未找到" in resp.get_data(as_text=True)
    resp = client.post("/expert/conflicts/new", data={"target": "application", "number": "BA100-2026-9999",
                                                      "reason": "亲属"})
    assert "未找到申报编号为“BA100-2026-9999”的申报" in resp.get_data(as_text=True)
    resp = client.post("/expert/conflicts/new", data={"target": "org", "org_query": org.uscc, "reason": ""})
    assert "请写明回避事由" in resp.get_data(as_text=True)
    assert client.post("/expert/conflicts/new", data={"target": "org", "org_query": org.uscc.lower(),
                                                      "reason": "配偶在该机构任职"}).status_code == 302
    assert client.post("/expert/conflicts/new", data={"target": "application", "number": "ba100-2026-0001",
                                                      "reason": "曾指导该项目设计"}).status_code == 302
    resp = client.post("/expert/conflicts/new", data={"target": "org", "org_query": org.uscc, "reason": "再报一次"})
    assert "已存在针对该对象的回避记录" in resp.get_data(as_text=True)
    rows = db.session.scalars(db.select(Conflict).order_by(Conflict.id)).all()
    assert [(c.org_id, c.application_id) for c in rows] == [(org.id, None), (None, app.id)]
    assert [r.reason for r in conflict_reasons(_user(user.id), app)] == ["曾指导该项目设计"]


def test_officer_sets_a_conflict_and_everyone_sees_who_set_it_and_why(client, auth):
    officer = UserFactory(officer=True, name="郑官员")
    org = OrganizationFactory(pending=True)  # officers may name any organization
    user = expert()
    auth.login(officer)
    url = f"/manage/experts/{user.expert_profile.id}/conflicts/new"
    resp = client.post(url, data={"target": "org", "org_query": org.uscc, "reason": "经举报核实，与该机构负责人系夫妻"})
    assert resp.status_code == 302
    (conflict,) = db.session.scalars(db.select(Conflict)).all()
    assert conflict.source == ConflictSource.OFFICER and conflict.set_by_id == officer.id
    page = client.get(f"/manage/experts/{user.expert_profile.id}").get_data(as_text=True)
    assert "项目官员设定" in page and "郑官员" in page and "与该机构负责人系夫妻" in page
    assert "expert.conflict_set" in _actions()
    auth.logout()
    auth.login(user)
    page = client.get("/expert/conflicts").get_data(as_text=True)
    assert "项目官员设定" in page and "郑官员" in page and "与该机构负责人系夫妻" in page
    assert "/withdraw" not in page  # withdrawing is officers' work


def test_withdrawn_conflict_is_kept_on_record_and_no_longer_applies(client, auth):
    officer = UserFactory(officer=True, name="郑官员")
    app = ApplicationFactory(status=AppStatus.SUBMITTED, number="BA100-2026-0003")
    user = expert()
    auth.login(user)
    client.post("/expert/conflicts/new", data={"target": "org", "org_query": app.org.uscc, "reason": "曾任理事"})
    (conflict,) = db.session.scalars(db.select(Conflict)).all()
    conflict_id = conflict.id
    assert conflict_reasons(_user(user.id), app)
    assert client.post(f"/manage/conflicts/{conflict_id}/withdraw", data={"reason": "x"}).status_code == 403
    auth.logout()
    auth.login(officer)
    url = f"/manage/conflicts/{conflict_id}/withdraw"
    resp = client.post(url, data={"reason": ""})
    assert resp.status_code == 200 and "请填写原因" in resp.get_data(as_text=True)
    assert client.post(url, data={"reason": "经核实已于2019年离任"}).status_code == 302
    conflict = db.session.get(Conflict, conflict_id)
    assert conflict.withdrawn_at and conflict.withdrawn_by_id == officer.id
    assert conflict_reasons(_user(user.id), app) == []
    page = client.get(f"/manage/experts/{user.expert_profile.id}").get_data(as_text=True)
    assert "conflict-withdrawn" in page and "曾任理事" in page and "经核实已于2019年离任" in page
    assert "已撤销" in page and "郑官员" in page
    resp = client.post(url, data={"reason": "再撤销一次"})
    assert resp.status_code == 409 and "已撤销" in resp.get_data(as_text=True)
    assert {"expert.conflict_declare", "expert.conflict_withdraw"} <= _actions()


def test_affiliation_within_three_years_is_detected_but_not_one_ended_four_years_ago():
    today = date(2026, 6, 1)
    org = OrganizationFactory()
    app = ApplicationFactory(org=org)
    recent, old, other_code = expert(), expert(), expert()
    ExpertAffiliationFactory(expert=recent.expert_profile, org_uscc=org.uscc, role="理事",
                             started_on=date(2018, 1, 1), ended_on=date(2024, 5, 31))
    ExpertAffiliationFactory(expert=old.expert_profile, org_uscc=org.uscc, role="员工",
                             started_on=date(2015, 1, 1), ended_on=date(2022, 5, 31))
    ExpertAffiliationFactory(expert=other_code.expert_profile, org_uscc=OrganizationFactory().uscc)
    (reason,) = conflict_reasons(recent, app, today=today)
    assert reason.source == ConflictSource.DETECTED and reason.set_by == "系统"
    assert reason.reason == "近3年内在申报机构任理事（2018年—2024年）"
    assert conflict_reasons(old, app, today=today) == []
    assert conflict_reasons(other_code, app, today=today) == []
    # the boundary: ended exactly three years ago still counts, a day earlier does not
    edge = expert()
    aff = ExpertAffiliationFactory(expert=edge.expert_profile, org_uscc=org.uscc, ended_on=date(2023, 6, 1))
    assert conflict_reasons(edge, app, today=today)
    aff.ended_on = date(2023, 5, 31)
    db.session.commit()
    assert conflict_reasons(edge, app, today=today) == []


def test_still_held_affiliation_is_detected_with_the_default_today():
    org = OrganizationFactory()
    user = expert()
    ExpertAffiliationFactory(expert=user.expert_profile, org_uscc=org.uscc, ended_on=None)
    assert [r.reason for r in detected_reasons(user.expert_profile, org)] == ["近3年内在申报机构任理事（2020年—至今）"]


def test_legal_representative_or_contact_with_the_experts_name_is_detected():
    org = OrganizationFactory(legal_rep="张国强", contact_name="李娜")
    app = ApplicationFactory(org=org)
    rep, contact, stranger = expert(user_name="张国强"), expert(user_name="李娜"), expert(user_name="王五")
    assert [r.reason for r in conflict_reasons(rep, app)] == ["专家姓名与申报机构法定代表人相同"]
    assert [r.reason for r in conflict_reasons(contact, app)] == ["专家姓名与申报机构联系人相同"]
    assert conflict_reasons(stranger, app) == []


def test_detail_page_lists_detected_ties_with_registered_organizations(client, auth):
    org = OrganizationFactory(legal_rep="张国强")
    user = expert(user_name="张国强")
    ExpertAffiliationFactory(expert=user.expert_profile, org_uscc=OrganizationFactory(name="中山市某某协会").uscc,
                             ended_on=local_today() - timedelta(days=30))
    auth.login(UserFactory(officer=True))
    page = client.get(f"/manage/experts/{user.expert_profile.id}").get_data(as_text=True)
    assert org.name in page and "法定代表人相同" in page and "中山市某某协会" in page


def _count_queries():
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    return statements, lambda: sa.event.remove(db.engine, "before_cursor_execute", listener)


def test_conflicts_for_round_matches_conflict_reasons_in_a_fixed_number_of_queries():
    today = date(2026, 6, 1)
    officer = UserFactory(officer=True)
    orgs = [OrganizationFactory(legal_rep="陈大文" if i == 1 else f"代表{i}", contact_name=f"联系人{i}")
            for i in range(4)]
    apps = [ApplicationFactory(org=orgs[i % 4], status=AppStatus.SUBMITTED, number=f"BA-2026-{i:04d}")
            for i in range(8)]
    users = [expert(user_name="陈大文"), expert(user_name="联系人2"), expert(), expert(), expert()]
    profiles = [u.expert_profile for u in users]
    ExpertAffiliationFactory(expert=profiles[2], org_uscc=orgs[0].uscc, ended_on=date(2024, 1, 1))
    ExpertAffiliationFactory(expert=profiles[2], org_uscc=orgs[3].uscc, started_on=date(2010, 1, 1),
                             ended_on=date(2020, 1, 1))  # too long ago
    ExpertAffiliationFactory(expert=profiles[3], org_uscc=orgs[3].uscc, started_on=None)
    rows = [
        dict(expert_id=profiles[3].id, org_id=orgs[0].id, source=ConflictSource.DECLARED, reason="亲属",
             set_by_id=users[3].id),
        dict(expert_id=profiles[3].id, application_id=apps[5].id, source=ConflictSource.OFFICER, reason="指导过",
             set_by_id=officer.id),
        dict(expert_id=profiles[4].id, org_id=orgs[1].id, source=ConflictSource.OFFICER, reason="已撤销的",
             set_by_id=officer.id, withdrawn_at=utcnow(), withdrawn_by_id=officer.id),
        dict(expert_id=profiles[4].id, org_id=orgs[2].id, application_id=apps[2].id,
             source=ConflictSource.DECLARED, reason="两者都有", set_by_id=users[4].id),
    ]
    db.session.add_all([Conflict(**row) for row in rows])
    db.session.commit()
    profiles = db.session.scalars(db.select(ExpertProfile).order_by(ExpertProfile.id)).all()
    for p in profiles:
        _ = p.user.name  # loaded, as the draw engineer's pool does
    apps = db.session.scalars(db.select(Application).order_by(Application.id)).all()
    statements, stop = _count_queries()
    try:
        found = conflicts_for_round(profiles, apps, today=today)
    finally:
        stop()
    assert len(statements) <= 4
    for app in apps:
        for p in profiles:
            expected = conflict_reasons(p.user, app, today=today)
            got = found.get(app.id, {}).get(p.user_id, [])
            assert Counter(got) == Counter(expected), (app.number, p.user.name)
    assert found[apps[1].id][users[0].id][0].reason == "专家姓名与申报机构法定代表人相同"
    assert users[4].id in found[apps[2].id] and users[4].id not in found.get(apps[1].id, {})
    assert conflicted_applications(users[3], apps, today=today).keys() == {apps[0].id, apps[4].id, apps[3].id,
                                                                        apps[7].id, apps[5].id}
    assert conflicts_for_round([], apps) == {} and conflicts_for_round(profiles, []) == {}


def test_expert_sees_own_affiliation_detections_but_not_others_names(client, auth):
    OrganizationFactory(name="中山市同名协会", legal_rep="张国强")
    tied = OrganizationFactory(name="中山市任职过的中心")
    user = expert(user_name="张国强")
    ExpertAffiliationFactory(expert=user.expert_profile, org_uscc=tied.uscc)
    auth.login(user)
    page = client.get("/expert/conflicts").get_data(as_text=True)
    assert "中山市任职过的中心" in page and "中山市同名协会" not in page

import json

from grantportal.accounts.models import User
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db
from grantportal.core.roles import Role
from grantportal.experts.models import ExpertProfile
from grantportal.review.models import ReviewStatus
from tests.factories import AssignmentFactory, ExpertProfileFactory, ReviewFactory, UserFactory, expert


def _entries(action):
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


def _new_expert_form(**over):
    data = {"username": "chen.jy", "name": "陈静怡", "phone": "13912345678", "email": "chenjy@example.cn",
            "password": "Expert-pass-2026", "password2": "Expert-pass-2026", "title": "副教授",
            "employer": "中山大学社会学与人类学学院", "fields": ["养老服务", "社区治理"],
            "bio": "长期研究社区养老服务。", "load_limit": "15"}
    data.update(over)
    return data


def test_officer_creates_an_expert_who_can_then_sign_in(client, auth):
    officer = UserFactory(officer=True)
    auth.login(officer)
    resp = client.post("/manage/experts/new", data=_new_expert_form())
    assert resp.status_code == 302
    profile = db.session.scalar(db.select(ExpertProfile).join(User, User.id == ExpertProfile.user_id)
                                .where(User.username == "chen.jy"))
    assert profile.user.role == Role.EXPERT and profile.active and profile.available
    assert profile.field_list == ["养老服务", "社区治理"] and profile.load_limit == 15
    assert resp.headers["Location"].endswith(f"/manage/experts/{profile.id}")
    (created,) = _entries("expert.create")
    assert created.actor_id == officer.id and created.object_type == "expert_profile"
    assert _entries("user.create")
    auth.logout()
    resp = client.post("/login", data={"username": "chen.jy", "password": "Expert-pass-2026"})
    assert resp.status_code == 302
    assert "陈静怡" in client.get("/expert/profile").get_data(as_text=True)


def test_new_expert_form_keeps_what_was_typed_and_explains_in_chinese(client, auth):
    UserFactory(username="taken")
    auth.login(UserFactory(officer=True))
    resp = client.post("/manage/experts/new", data=_new_expert_form(
        username="taken", password="short", password2="short", fields=[], load_limit="十五"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "密码至少10位" in page and "请至少选择一个专业领域" in page and "请填写整数" in page
    assert "中山大学社会学与人类学学院" in page and "陈静怡" in page
    assert db.session.scalar(db.select(db.func.count(ExpertProfile.id))) == 0
    resp = client.post("/manage/experts/new", data=_new_expert_form(username="taken"))
    assert "该登录名已被使用" in resp.get_data(as_text=True)


def test_pool_searches_filters_and_counts_open_assignments(client, auth):
    busy = expert(user_name="王建华", employer="华南师范大学")
    expert(user_name="李梅璟", employer="中山市社工协会", fields="儿童服务")
    ExpertProfileFactory(user=UserFactory(expert=True, name="赵停"), active=False)
    open_one = AssignmentFactory(expert=busy)
    AssignmentFactory(expert=busy, round=open_one.round)  # no review yet: open
    done = ReviewFactory(assignment=AssignmentFactory(expert=busy, round=open_one.round),
                         status=ReviewStatus.SUBMITTED)
    assert done.id
    AssignmentFactory(expert=busy, round=open_one.round, active=False)  # replaced: not counted
    auth.login(UserFactory(officer=True))
    page = client.get("/manage/experts/").get_data(as_text=True)
    assert "王建华" in page and "李梅璟" in page and "赵停" in page
    assert "2 / 20" in page
    page = client.get("/manage/experts/?q=华南").get_data(as_text=True)
    assert "王建华" in page and "李梅璟" not in page
    page = client.get("/manage/experts/?field=儿童服务").get_data(as_text=True)
    assert "李梅璟" in page and "王建华" not in page
    page = client.get("/manage/experts/?status=inactive").get_data(as_text=True)
    assert "赵停" in page and "李梅璟" not in page
    page = client.get("/manage/experts/?status=available&page=99999").get_data(as_text=True)
    assert client.get("/manage/experts/?page=99999").status_code == 200


def test_auditor_reads_the_pool_without_actions(client, auth):
    profile = expert().expert_profile
    auth.login(UserFactory(auditor=True))
    page = client.get(f"/manage/experts/{profile.id}").get_data(as_text=True)
    assert "只读" in page and "设定回避" not in page
    assert "新增专家" not in client.get("/manage/experts/").get_data(as_text=True)
    assert client.post(f"/manage/experts/{profile.id}/active", data={"active": "0", "reason": "x"}).status_code == 403


def test_deactivation_needs_a_reason_which_the_audit_log_keeps(client, auth):
    officer = UserFactory(officer=True, name="周明")
    profile = expert(user_name="黄立").expert_profile
    auth.login(officer)
    url = f"/manage/experts/{profile.id}/active"
    assert 'value="0"' in client.get(url).get_data(as_text=True)
    resp = client.post(url, data={"active": "0", "reason": ""})
    assert resp.status_code == 200 and "请填写原因" in resp.get_data(as_text=True)
    assert db.session.get(ExpertProfile, profile.id).active
    assert client.post(url, data={"active": "0", "reason": "本人申请暂停一年"}).status_code == 302
    profile = db.session.get(ExpertProfile, profile.id)
    assert not profile.active and not profile.drawable and profile.active_changed_by_id == officer.id
    (entry,) = _entries("expert.deactivate")
    assert json.loads(entry.before)["active"] is True
    after = json.loads(entry.after)
    assert after["active"] is False and after["active_reason"] == "本人申请暂停一年"
    page = client.get(f"/manage/experts/{profile.id}").get_data(as_text=True)
    assert "已停用" in page and "本人申请暂停一年" in page and "周明" in page
    resp = client.post(url, data={"active": "0", "reason": "再次停用"})
    assert resp.status_code == 409 and "已处于停用状态" in resp.get_data(as_text=True)
    assert client.post(url, data={"active": "1", "reason": "恢复"}).status_code == 302
    assert db.session.get(ExpertProfile, profile.id).active and _entries("expert.activate")


def test_detail_shows_contact_and_assignment_history_to_staff(client, auth):
    user = expert(user_phone="13812341234")
    assignment = AssignmentFactory(expert=user)
    auth.login(UserFactory(officer=True))
    page = client.get(f"/manage/experts/{user.expert_profile.id}").get_data(as_text=True)
    assert "13812341234" in page
    assert assignment.round.name in page and assignment.application.title in page


def test_unknown_expert_is_404(client, auth):
    auth.login(UserFactory(officer=True))
    assert client.get("/manage/experts/99999").status_code == 404
    assert client.get("/manage/conflicts/99999/withdraw").status_code == 404


def test_officer_edits_the_profile_and_load_limit(client, auth):
    profile = expert().expert_profile
    auth.login(UserFactory(officer=True))
    resp = client.post(f"/manage/experts/{profile.id}/edit", data={
        "title": "教授", "employer": "暨南大学", "fields": ["助残服务"], "bio": "", "load_limit": "8"})
    assert resp.status_code == 302
    profile = db.session.get(ExpertProfile, profile.id)
    assert (profile.title, profile.employer, profile.fields, profile.load_limit) == ("教授", "暨南大学", "助残服务", 8)
    assert _entries("expert.update")

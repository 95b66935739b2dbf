"""The call's settings for grassroots teams: whether teams may apply through a supporting organization
(``teams_allowed``, off by default) and the most a team's application may request (``team_cap``, 元)."""
from decimal import Decimal

import sqlalchemy as sa

from grantportal.calls.models import Call
from grantportal.core.db import db
from tests.calls.formdata import call_form


def _calls():
    return db.session.scalars(sa.select(Call)).all()


def test_a_call_admits_teams_with_a_cap_and_shows_it_on_the_form(client, signed_in_officer):
    assert 'name="teams_allowed"' in client.get("/manage/calls/new").get_data(as_text=True)
    resp = client.post("/manage/calls/new", data=call_form(teams_allowed="y", team_cap="20000"))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    [call] = _calls()
    assert call.teams_allowed is True and call.team_cap == Decimal("20000.00")
    assert 'value="20000.00"' in client.get(f"/manage/calls/{call.id}/edit").get_data(as_text=True)


def test_teams_are_off_by_default_and_a_cap_without_them_is_refused_next_to_the_field(client, signed_in_officer):
    resp = client.post("/manage/calls/new", data=call_form(team_cap="20000"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and _calls() == []
    block = html.split('name="team_cap"')[1].split('class="field')[0]
    assert "请先勾选“允许草根团队通过支持机构申报”" in block
    resp = client.post("/manage/calls/new", data=call_form())
    assert resp.status_code == 302
    [call] = _calls()
    assert call.teams_allowed is False and call.team_cap is None

"""The public site a citizen navigates: 公示与结果 lists the calls whose 公示 or final results are published,
项目执行 the calls with final results, and each results row links to its organization and, once the contract is
in force, to its project; a project links back to its organization and call; 帮助 speaks to each audience."""
import re

import pytest

from grantportal.calls.models import CallStatus
from grantportal.core.db import db, utcnow
from grantportal.funding.models import ContractStatus
from tests import factories as f
from tests.awards.proposals.test_results_page import publicized
from tests.funding.conftest import active_contract
from tests.render import queries_while_rendering


@pytest.fixture(autouse=True)
def _confirmed_calendar():
    """公示 periods are counted only in confirmed years (as in tests/awards/conftest.py)."""
    f.confirm_calendar(utcnow().year, utcnow().year + 1)
    db.session.commit()


def text(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status, url
    return resp.get_data(as_text=True)


def test_results_list_the_calls_in_publicity_and_with_final_results(client, app):
    final, _awards = f.final_awards()
    in_publicity, _apps, _proposal = publicized()
    not_yet, _apps, _proposal = publicized(publish=False)
    with queries_while_rendering(app) as seen:
        page = text(client, "/results")
    assert seen == []
    assert f'<a href="/calls/{final.id}/results">{final.title}</a>' in page
    assert f'<a href="/calls/{in_publicity.id}/results">{in_publicity.title}</a>' in page
    assert f"/calls/{not_yet.id}/" not in page
    assert "最终结果" in page and "公示中" in page
    assert f'href="/calls/{final.id}/projects"' in page and f"/calls/{in_publicity.id}/projects" not in page


def test_a_draft_call_is_not_listed(client):
    call, _awards = f.final_awards()
    call.status = CallStatus.DRAFT
    db.session.commit()
    assert f"/calls/{call.id}/" not in text(client, "/results")
    assert f"/calls/{call.id}/" not in text(client, "/projects/")


def test_projects_list_only_calls_with_final_results(client):
    final, _awards = f.final_awards()
    in_publicity, _apps, _proposal = publicized()
    page = text(client, "/projects/")
    assert f'<a href="/calls/{final.id}/projects">{final.title}</a>' in page
    assert f"/calls/{in_publicity.id}/" not in page


def test_empty_lists_say_so_and_absurd_pages_are_the_last_page(client):
    assert "目前没有已公示的评审结果" in text(client, "/results?page=99999999")
    assert "目前还没有确定最终结果的项目征集" in text(client, "/projects/?page=-3")


def test_a_results_row_links_its_organization_and_its_project_once_in_force(client):
    call, (signed, waiting) = f.final_awards()
    contract = active_contract(signed, call.created_by)
    active_contract(waiting, call.created_by, status=ContractStatus.ISSUED)
    page = text(client, f"/calls/{call.id}/results")
    for award in (signed, waiting):
        org = award.application.org
        assert f'<a href="/orgs/{org.id}">{org.name}</a>' in page
    assert f'<a href="/projects/{contract.id}">{signed.application.title}</a>' in page
    assert f'<td data-label="项目名称">{waiting.application.title}</td>' in page


def test_rows_in_publicity_link_organizations(client):
    call, apps, _proposal = publicized()
    page = text(client, f"/calls/{call.id}/results")
    assert f'<a href="/orgs/{apps[0].org.id}">{apps[0].org.name}</a>' in page
    assert not re.search(r'href="/projects/\d', page)  # no contract during 公示


def test_a_project_links_its_organization_and_call(client):
    call, (award, _) = f.final_awards()
    contract = active_contract(award, call.created_by)
    page = text(client, f"/projects/{contract.id}")
    org = award.application.org
    assert f'<a href="/orgs/{org.id}">{org.name}</a>' in page
    assert f'<a href="/calls/{call.id}">{call.title}</a>' in page and f'href="/calls/{call.id}/results"' in page
    call_list = text(client, f"/calls/{call.id}/projects")
    assert f'<a href="/orgs/{org.id}">{org.name}</a>' in call_list


def test_help_speaks_to_each_audience(client):
    page = text(client, "/help")
    for heading in ("申报机构：如何申报", "公众：如何提出异议", "公众：如何核验文书", "评审专家：如何评审"):
        assert heading in page
    for link in ('href="/register"', 'href="/calls/"', 'href="/results"', 'href="/verify"'):
        assert link in page


def test_the_home_page_leads_to_results_and_verification(client):
    page = text(client, "/")
    assert 'class="button" href="/results"' in page and 'class="button" href="/verify"' in page

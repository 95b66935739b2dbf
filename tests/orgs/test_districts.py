"""所在镇街 (core/districts.py): chosen from the city's list at registration and on edit, shown on the public
record and filterable in the directory; an unknown value in a form is refused, in the directory ignored."""
import pytest

from grantportal.app import create_app
from grantportal.core.db import db
from grantportal.core.districts import ZHONGSHAN, DistrictsError, parse_districts, validate_districts
from grantportal.orgs.models import Organization
from tests.factories import OrganizationFactory, UserFactory, member_of
from tests.orgs.conftest import CODE


def _org(code=CODE):
    return db.session.scalar(db.select(Organization).where(Organization.uscc == code))


@pytest.mark.nodb
def test_the_default_is_zhongshans_23_districts_after_the_2021_change():
    assert len(ZHONGSHAN) == 23 and len(set(ZHONGSHAN)) == 23
    assert "东升镇" not in ZHONGSHAN  # merged into 小榄镇
    assert {"小榄镇", "民众街道", "南朗街道", "中山港街道（火炬开发区）"} <= set(ZHONGSHAN)
    assert sum(d.endswith("街道") or "街道（" in d for d in ZHONGSHAN) == 8
    assert sum(d.endswith("镇") for d in ZHONGSHAN) == 15


@pytest.mark.nodb
def test_the_setting_is_checked_and_read_from_text():
    assert parse_districts("香洲区，金湾区、斗门区, 横琴粤澳深度合作区\n") == \
        ("香洲区", "金湾区", "斗门区", "横琴粤澳深度合作区")
    assert validate_districts("甲镇,乙镇") == ("甲镇", "乙镇")
    for bad in ([], "", ["甲镇", "甲镇"], ["x" * 41], [" 甲镇"], [None]):
        with pytest.raises(DistrictsError):
            validate_districts(bad)


def test_a_bad_setting_stops_the_app_with_its_reason(tmp_path):
    with pytest.raises(DistrictsError, match="重复"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                    "DISTRICTS": ["甲镇", "甲镇"]})


def test_registration_requires_a_district_from_the_list(client, auth, registration):
    auth.login(UserFactory())
    page = client.get("/org/register").get_data(as_text=True)
    assert "所在镇街" in page and '<option value="小榄镇">小榄镇</option>' in page
    body = client.post("/org/register", data=registration(district=None)).get_data(as_text=True)
    assert "请选择机构所在的镇街" in body and _org() is None
    body = client.post("/org/register", data=registration(district="东升镇")).get_data(as_text=True)
    assert "请从列表中选择" in body and _org() is None
    assert client.post("/org/register", data=registration(district="小榄镇")).status_code == 302
    assert _org().district == "小榄镇"


def test_a_verified_organization_without_a_district_chooses_one_when_it_edits(client, auth):
    owner = member_of(OrganizationFactory(district=None))
    auth.login(owner)
    page = client.get("/org/edit").get_data(as_text=True)
    assert "所在镇街" in page
    data = {"contact_name": "新联系人", "contact_phone": "0760-88886666", "address": "广东省中山市坦洲镇界狮南路1号",
            "charter_scope": "社会服务", "service_fields": ["其他"]}
    body = client.post("/org/edit", data=data).get_data(as_text=True)
    assert "请选择机构所在的镇街" in body
    assert client.post("/org/edit", data={**data, "district": "坦洲镇"}).status_code == 302
    assert db.session.get(Organization, owner.org.id).district == "坦洲镇"


def test_public_record_shows_the_district_or_not_given(client):
    org = OrganizationFactory(district="古镇镇")
    assert "<dt>所在镇街</dt><dd>古镇镇</dd>" in client.get(f"/orgs/{org.id}").get_data(as_text=True)
    old = OrganizationFactory(district=None)
    assert "<dt>所在镇街</dt><dd>未填写</dd>" in client.get(f"/orgs/{old.id}").get_data(as_text=True)


def test_directory_filters_by_district_and_ignores_an_unknown_one(client):
    OrganizationFactory(name="中山市古镇灯都义工协会", district="古镇镇")
    OrganizationFactory(name="中山市坦洲邻里服务中心", district="坦洲镇")
    OrganizationFactory(name="中山市未填镇街的机构", district=None)
    resp = client.get("/orgs/?district=古镇镇")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "灯都义工" in body and "坦洲邻里" not in body and "未填镇街" not in body
    assert '<option value="古镇镇" selected>古镇镇</option>' in body
    for bad in ("东升镇", "<script>", "x" * 500, "古镇"):
        resp = client.get("/orgs/", query_string={"district": bad})
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200 and "已忽略该筛选条件" in body
        assert "灯都义工" in body and "坦洲邻里" in body and "<script>" not in body
    # a control character is dropped from the query before the view (core/web.py): the whole list
    body = client.get("/orgs/", query_string={"district": "古镇镇\u0000"}).get_data(as_text=True)
    assert "灯都义工" in body and "坦洲邻里" in body
    body = client.get("/orgs/", query_string={"district": " 古镇镇\u3000"}).get_data(as_text=True)
    assert "灯都义工" in body and "坦洲邻里" not in body  # spaces around a pasted name do not matter
    # combined with the other filters, and kept by the pager's links
    body = client.get("/orgs/?district=坦洲镇&q=邻里").get_data(as_text=True)
    assert "坦洲邻里" in body and "灯都义工" not in body


def test_officers_list_filters_by_district_too(client, auth):
    OrganizationFactory(name="中山市三乡启智服务中心", district="三乡镇", pending=True)
    OrganizationFactory(name="中山市神湾长者服务中心", district="神湾镇", pending=True)
    auth.login(UserFactory(officer=True))
    body = client.get("/manage/orgs/?district=三乡镇").get_data(as_text=True)
    assert "三乡启智" in body and "神湾长者" not in body

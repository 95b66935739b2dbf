import pytest

from grantportal.core.masking import mask_address, mask_id_number, mask_name, mask_phone

pytestmark = pytest.mark.nodb


def test_mobile_phone_keeps_first_three_and_last_four():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("138-1234-1234") == "138****1234"


def test_id_number_keeps_two_and_three():
    assert mask_id_number("350102199001011234") == "35*************234"


def test_address_is_cut_at_the_street():
    assert mask_address("广东省中山市石岐街道孙文中路1号") == "广东省中山市石岐街道****"
    assert mask_address("中山市小榄镇民安路3号") == "中山市小榄镇****"
    assert "1号" not in mask_address("中山市东区兴中道1号")


def test_name_keeps_the_surname():
    assert mask_name("张三丰") == "张**"

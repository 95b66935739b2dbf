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


def test_free_text_masks_mobiles_id_numbers_landlines_and_email():
    from grantportal.core.masking import mask_text

    text = ("经核实，举报人（电话13812345678，+86 139-8765-4321）反映的情况属实；负责人身份证号350102199001011234，"
            "办公电话0760-88881234，邮箱wang.xm@example.cn。")
    masked = mask_text(text)
    for secret in ("13812345678", "8765", "350102199001011234", "88881234", "wang.xm"):
        assert secret not in masked
    assert "138****5678" in masked and "139****4321" in masked
    assert "35*************234" in masked and "w***@example.cn" in masked
    assert masked.startswith("经核实，举报人（电话")


def test_free_text_keeps_organization_codes_amounts_and_dates():
    from grantportal.core.masking import mask_text

    text = "中国社会福利基金会（53100000500019795A）拟资助80000元，2026年3月1日起实施，共120户。"
    assert mask_text(text) == text
    assert mask_text(None) == "" and mask_text("") == ""

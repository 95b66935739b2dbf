"""The public expert draw record on a 375 px phone (issue 12): a citizen follows the link from the results page,
reads 复核一致, opens one draw's full list of experts, and the page stays within the screen. Screenshots go to
tests/screenshots/draw-*.png."""
import pytest

from tests.awards.proposals.test_draw_record import drawn_call
from tests.browser.util import fits_phone, shot

pytestmark = pytest.mark.browser


def test_citizen_replays_the_draw_on_a_phone(phone):
    call, _, _ = drawn_call()
    phone.goto(f"/calls/{call.id}/results")
    phone.click("text=查看专家抽取记录（匿名）并复核抽取结果")
    phone.wait_for_load_state()
    text = phone.inner_text("main")
    assert "复核一致" in text and "复核不一致" not in text and "第1次抽取" in text
    fits_phone(phone)
    shot(phone, "draw-1-phone")
    phone.click("main details summary:has-text('查看本次抽取考虑的全部')")
    assert phone.is_visible("main table.stack >> nth=0")
    assert "回避（与申报方存在利益关系）" in phone.inner_text("main")
    fits_phone(phone)
    shot(phone, "draw-2-phone-experts")

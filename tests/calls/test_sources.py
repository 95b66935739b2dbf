"""The attribution rule of money to a call's funding sources (calls/sources.py): pro rata to the sources' amounts,
rounded down to the 分, the remainder on the largest source — the parts add up to the amount exactly."""
import random
from decimal import Decimal

from grantportal.calls.models import FundingSourceKind as K
from grantportal.calls.sources import Share, breakdown_text, by_kind, split

D = Decimal
THIRDS = (Share(K.SPECIAL_FUND, "专项资金", D("100000.00")), Share(K.LOTTERY, "福彩公益金", D("100000.00")),
          Share(K.DEPARTMENT, "部门配套", D("100000.00")))


def _amounts(parts):
    return [p.amount for p in parts]


def test_parts_add_up_to_the_amount_to_the_fen():
    rng = random.Random(14)
    for _ in range(2000):
        shares = [Share(K.SPECIAL_FUND, "专项资金", D(rng.randint(1, 10**8)) / 100)
                  for _ in range(rng.randint(1, 5))]
        amount = D(rng.randint(0, 10**8)) / 100
        parts = split(amount, shares)
        assert sum(_amounts(parts)) == amount
        assert all(p.amount >= 0 and p.amount == p.amount.quantize(D("0.01")) for p in parts)


def test_remainder_goes_to_the_largest_source_first_in_order_on_a_tie():
    assert _amounts(split(D("100000.00"), THIRDS)) == [D("33333.34"), D("33333.33"), D("33333.33")]
    assert _amounts(split(D("0.02"), THIRDS)) == [D("0.02"), D("0.00"), D("0.00")]
    shares = (Share(K.SPECIAL_FUND, "专项资金", D("300000")), Share(K.LOTTERY, "福彩公益金", D("700000")))
    assert _amounts(split(D("33333.33"), shares)) == [D("9999.99"), D("23333.34")]  # 9999.999 / 23333.331


def test_pro_rata_to_the_sources():
    shares = (Share(K.SPECIAL_FUND, "专项资金", D("800000")), Share(K.LOTTERY, "福彩公益金", D("200000")))
    assert _amounts(split(D("50000.00"), shares)) == [D("40000.00"), D("10000.00")]


def test_no_sources_no_breakdown():
    assert split(D("50000.00"), ()) == []
    assert split(D("50000.00"), (Share(K.LOTTERY, "福彩公益金", D("0")),)) == []
    assert split(None, THIRDS) == []


def test_kinds_sum_and_text_names_every_part():
    shares = (Share(K.OTHER, "其他（区级配套）", D("1")), Share(K.OTHER, "其他（企业捐赠）", D("1")),
              Share(K.LOTTERY, "福彩公益金", D("2")))
    parts = split(D("1000.00"), shares)
    assert by_kind(parts) == {K.OTHER: D("500.00"), K.LOTTERY: D("500.00")}
    assert breakdown_text(parts) == "其他（区级配套） 250.00；其他（企业捐赠） 250.00；福彩公益金 500.00"

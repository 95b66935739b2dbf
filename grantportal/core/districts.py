"""The city's 镇街 (towns and sub-districts) as data: the public statistics, the organization directory's filter
and the forms read them from here, never from a list of their own.

A deployment sets its city's list in ``DISTRICTS`` (config, or ``GRANTPORTAL_DISTRICTS``: names separated by
commas or 、); the default is 中山市's 23 镇街 as they stand since the 2021 boundary change (中山市人民政府关于
中山市部分行政区划变更的公告, 2021-07-19: 小榄镇 and 东升镇 merged into a new 小榄镇; 民众镇 and 南朗镇 became
街道) — 8 街道 and 15 镇. An organization's 所在镇街 (``Organization.district``) and a project's 服务镇街
(``Application.district``) store the name itself; rows from before the field existed hold NULL (shown
未填写). A name later removed from the setting stays on its rows and is shown as it was stored."""
from flask import current_app

from grantportal.core.wording import quoted

# 中山市: 8 街道, then 15 镇 (order of the city's own listings)
ZHONGSHAN = (
    "石岐街道", "东区街道", "西区街道", "南区街道", "五桂山街道", "中山港街道（火炬开发区）", "民众街道", "南朗街道",
    "黄圃镇", "南头镇", "东凤镇", "阜沙镇", "小榄镇", "古镇镇", "横栏镇", "三角镇", "港口镇", "大涌镇", "沙溪镇",
    "三乡镇", "板芙镇", "神湾镇", "坦洲镇",
)
MAX_LENGTH = 40  # the columns' width
NOT_GIVEN = "未填写"
SEPARATORS = (",", "，", "、", "\n")


class DistrictsError(ValueError):
    """The DISTRICTS setting is not a usable list; the message says why."""


def parse_districts(text):
    """A list typed in the environment: names separated by commas (half- or full-width), 、 or new lines."""
    for sep in SEPARATORS[1:]:
        text = text.replace(sep, SEPARATORS[0])
    return tuple(name.strip() for name in text.split(SEPARATORS[0]) if name.strip())


def validate_districts(names):
    """The setting as a tuple of names, or DistrictsError: at least one name, each non-empty text of at most
    MAX_LENGTH characters, none twice."""
    if isinstance(names, str):
        names = parse_districts(names)
    names = tuple(names or ())
    if not names:
        raise DistrictsError("DISTRICTS 至少须包含一个镇街名称。")
    for name in names:
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            raise DistrictsError(f"DISTRICTS 中的镇街名称无效：{name!r}。")
        if len(name) > MAX_LENGTH:
            raise DistrictsError(f"镇街名称{quoted(name)}超过{MAX_LENGTH}个字符。")
    seen = set()
    for name in names:
        if name in seen:
            raise DistrictsError(f"镇街名称{quoted(name)}重复。")
        seen.add(name)
    return names


def init_app(app):
    """Check the setting once at start-up (a bad list stops the app with its reason) and keep it as a tuple."""
    app.config["DISTRICTS"] = validate_districts(app.config.get("DISTRICTS") or ZHONGSHAN)


def districts():
    """This deployment's 镇街, in the setting's order."""
    return current_app.config["DISTRICTS"]


def is_district(value):
    return bool(value) and value in districts()


def district_label(value):
    return value or NOT_GIVEN

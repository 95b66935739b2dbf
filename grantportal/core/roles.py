"""The roles a user account can have (DESIGN.md §2). A core fact: permissions in every domain ask it."""
from grantportal.core.db import LabelledEnum


class Role(LabelledEnum):
    ORG_MEMBER = "org_member", "社会组织"
    EXPERT = "expert", "评审专家"
    OFFICER = "officer", "项目官员"
    AUDITOR = "auditor", "审计人员"
    ADMIN = "admin", "系统管理员"
    THIRD_PARTY = "third_party", "第三方机构"  # staff of an appointed 第三方评估/监管机构 (inspection/)
    CITIZEN = "citizen", "公众"  # signs in with a phone number and an SMS code (citizens/); never staff

"""Who may read and change the year's service catalogues. Each view calls exactly one of these, once, through
``core.permissions.require``.

- a published catalogue is public (``core.permissions.can_view_public_pages``);
- the officers' catalogue pages, drafts included: staff (auditors read);
- creating, editing and publishing a catalogue, its categories and items: officers (``can_manage_catalogue``).
"""
from grantportal.core.permissions import Decision, is_officer, is_staff


def can_list_catalogues(user):
    return Decision(is_staff(user), "只有项目官员和审计人员可以查看目录管理页面。")


def can_manage_catalogue(user):
    return Decision(is_officer(user), "只有项目官员可以编制和发布购买服务目录、职能转移目录。")

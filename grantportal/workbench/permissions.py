"""Who sees the 待办 home and who exports lists. Staff read the home (auditors without the actions);
exports carry applicants' names and amounts out of the system: officers only (as the score sheet)."""
from grantportal.core.permissions import Decision, is_officer, is_staff


def can_view_workbench(user):
    return Decision(is_staff(user))


def can_export_lists(user):
    return Decision(is_officer(user), "只有项目官员可以导出名单。")


def can_download_export(user, job):
    """The file of a background export: the officer who asked for it."""
    return Decision(is_officer(user) and job.created_by_id == user.id)

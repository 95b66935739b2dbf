"""Who may see and act on issued documents. Each view calls one of these, once, through ``require``.

- /verify/<code> and the form at /verify (code, and optionally the file to compare): anyone (public facts only);
- a call's documents, a document's versions, job progress: staff (officers act; auditors read);
- downloading a document: staff, and the members of the organization the document is addressed to.
"""
from grantportal.core.permissions import Decision, is_officer, is_staff
from grantportal.orgs.permissions import is_member_of


def can_verify_documents(user):
    """Anyone, signed in or not: a citizen checks a document by its code or its file."""
    return Decision(True)


def can_view_documents(user, call):
    return Decision(is_staff(user))


def can_manage_documents(user, call):
    """Issue, batch, retry, correct."""
    return Decision(is_officer(user), "只有项目官员可以出具、重新生成或更正文书。")


def can_download_document(user, doc):
    return Decision(is_staff(user) or is_member_of(user, doc.award.application.org))


def can_view_job(user, job):
    return Decision(is_staff(user))

"""Who may see and act on issued documents. Each view calls one of these, once, through ``require``.

- /verify/<code>: anyone (public facts only);
- a call's documents, a document's versions, job progress: staff (officers act; auditors read);
- downloading a document: staff, and the members of the organization the document is addressed to.
"""
from grantportal.core.permissions import is_officer, is_staff
from grantportal.orgs.permissions import is_member_of


def can_view_documents(user, call):
    return is_staff(user)


def can_manage_documents(user, call):
    """Issue, batch, retry, correct."""
    return is_officer(user)


def can_download_document(user, doc):
    return is_staff(user) or is_member_of(user, doc.award.application.org)


def can_view_job(user, job):
    return is_staff(user)

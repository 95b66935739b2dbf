"""The year's service catalogues (issue 14): the published catalogues are public (a year with none, or only a
draft, is a 404 for everyone); the officers' catalogue pages are the staff's (auditors read); creating, editing
and publishing a catalogue, its categories and items are the officer's. ``w.catalogue``: 2030's published
政府购买服务目录 with one category and two items, the first named by ``w.call`` (cannot be deleted), the second
(``w.catalogue_spare_item``) named by none; ``w.catalogue_draft``: 2031's draft with one item."""
from tests.permissions.spec import CONFLICT, DENY, LOGIN, NOT_FOUND, ROLES, Route, ok, public, staff_only


def catalogue_world(w):
    from grantportal.calls.models import CallCatalogueItem
    from grantportal.catalogue import operations as ops
    from grantportal.catalogue.models import CatalogueKind
    from grantportal.core.db import db, utcnow

    if getattr(w, "catalogue", None) is not None:
        return w
    for year, attr in ((2030, "catalogue"), (2031, "catalogue_draft")):
        catalogue = ops.create_catalogue(w.officer, ops.CatalogueData(year, CatalogueKind.PURCHASE,
                                                                      f"{year}年度政府购买服务目录", ""))
        category = ops.add_category(catalogue, w.officer, "基本公共服务")
        item = ops.save_item(catalogue, w.officer, ops.ItemData(category.id, "居家养老服务", "", "市民政局", "养老服务",
                                                                None, 0, None))
        if year == 2030:
            # a second item no call names (deletable) beside the first, which a call names (kept)
            w.catalogue_spare_item = ops.save_item(catalogue, w.officer, ops.ItemData(
                category.id, "社区矫正服务", "", "市司法局", "", None, 0, None))
            db.session.add(CallCatalogueItem(call_id=w.call.id, item_id=item.id))
            ops.publish(catalogue, w.officer, utcnow())
        setattr(w, attr, catalogue)
        setattr(w, f"{attr}_category", category)
        setattr(w, f"{attr}_item", item)
    db.session.commit()
    return w


def _catalogue(attr="catalogue"):
    return lambda w: {"catalogue_id": getattr(catalogue_world(w), attr).id}


def _category(w):
    return {"category_id": catalogue_world(w).catalogue_category.id}


def _item(w):
    return {"item_id": catalogue_world(w).catalogue_item.id}


def _spare(w):
    catalogue_world(w)
    return {"item_id": w.catalogue_spare_item.id}


def _item_form(w):
    return {"category_id": str(catalogue_world(w).catalogue_category.id), "name": "社区矫正", "description": "",
            "department": "市司法局", "service_field": "", "min_grade": "3A", "min_years_registered": "2",
            "budget": "600000"}


MISSING = {role: NOT_FOUND for role in ROLES} | {"anonymous": LOGIN}  # a wrong id: 404 once signed in
OFFICER_WRITES = staff_only(readers=DENY, officer=ok(303))
READ = staff_only()
WRITE_PAGE = staff_only(readers=DENY)

ROUTES = [
    Route("catalogue.years", expect=public()),
    Route("catalogue.year", params=lambda w: {"year": catalogue_world(w).catalogue.year}, expect=public()),
    Route("catalogue.year", params=lambda w: {"year": catalogue_world(w).catalogue_draft.year}, label="draft",
          expect=public(NOT_FOUND)),
    Route("catalogue.year_csv", params=lambda w: {"year": catalogue_world(w).catalogue.year}, expect=public()),
    Route("catalogue.year_csv", params=lambda w: {"year": catalogue_world(w).catalogue_draft.year}, label="draft",
          expect=public(NOT_FOUND)),
    Route("catalogue.manage", expect=READ),
    Route("catalogue.create", expect=WRITE_PAGE),
    Route("catalogue.create", "POST", data=lambda w: {"year": "2032", "kind": "purchase",
                                                      "title": "2032年度政府购买服务目录", "note": ""},
          expect=OFFICER_WRITES),
    Route("catalogue.detail", params=_catalogue(), expect=READ),
    Route("catalogue.detail", params=lambda w: {"catalogue_id": 999999}, label="missing", expect=MISSING),
    Route("catalogue.edit", params=_catalogue(), expect=WRITE_PAGE),
    Route("catalogue.edit", "POST", params=_catalogue(),
          data=lambda w: {"title": "2030年度政府向社会组织购买服务目录", "note": "依据财政部令第102号编制。"},
          expect=OFFICER_WRITES),
    Route("catalogue.add_category", "POST", params=_catalogue(), data=lambda w: {"name": "社会管理性服务"},
          expect=OFFICER_WRITES),
    Route("catalogue.edit_category", params=_category, expect=WRITE_PAGE),
    Route("catalogue.edit_category", "POST", params=_category, data=lambda w: {"name": "公共服务"},
          expect=OFFICER_WRITES),
    Route("catalogue.edit_category", params=lambda w: {"category_id": 999999}, label="missing", expect=MISSING),
    Route("catalogue.new_item", params=_catalogue(), expect=WRITE_PAGE),
    Route("catalogue.new_item", "POST", params=_catalogue(), data=_item_form, expect=OFFICER_WRITES),
    Route("catalogue.edit_item", params=_item, expect=WRITE_PAGE),
    Route("catalogue.edit_item", "POST", params=_item, data=lambda w: {**_item_form(w), "name": "居家养老服务"},
          expect=OFFICER_WRITES),
    Route("catalogue.edit_item", params=lambda w: {"item_id": 999999}, label="missing", expect=MISSING),
    Route("catalogue.delete_item", params=_spare, expect=WRITE_PAGE),
    Route("catalogue.delete_item", params=_item, label="linked", expect=WRITE_PAGE),  # says why not, no button
    Route("catalogue.delete_item", "POST", params=_spare, expect=OFFICER_WRITES),
    Route("catalogue.delete_item", "POST", params=_item, label="linked",
          expect=staff_only(readers=DENY, officer=CONFLICT)),
    Route("catalogue.delete_item", params=lambda w: {"item_id": 999999}, label="missing",
          expect=staff_only(readers=DENY, officer=NOT_FOUND)),  # the officer's check first: no one else learns ids
    Route("catalogue.publish", params=_catalogue("catalogue_draft"), expect=WRITE_PAGE),
    Route("catalogue.publish", "POST", params=_catalogue("catalogue_draft"), expect=OFFICER_WRITES),
    Route("catalogue.publish", "POST", params=_catalogue(), label="published",
          expect=staff_only(readers=DENY, officer=CONFLICT)),
]

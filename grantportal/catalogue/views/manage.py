"""Officers' catalogue pages: the list of catalogues, a new one, its heading, its categories and items (deleting one
no call names, after a confirmation page), and publishing it. Auditors read the list and each catalogue; every
write is an officer's (``can_manage_catalogue``) and audited."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.catalogue import operations as ops
from grantportal.catalogue.blueprint import bp
from grantportal.catalogue.forms import CatalogueForm, CategoryForm, ItemForm, item_data
from grantportal.catalogue.models import CatalogueCategory, CatalogueItem
from grantportal.catalogue.permissions import can_list_catalogues, can_manage_catalogue
from grantportal.catalogue.queries import all_catalogues, catalogue_for_page
from grantportal.core import signals
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db, utcnow
from grantportal.core.forms import ButtonForm
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.core.wording import quoted


def _catalogue(catalogue_id):
    catalogue = catalogue_for_page(catalogue_id)
    if catalogue is None:
        abort(404)
    return catalogue


@bp.route("/manage/catalogue/")
@login_required
def manage():
    require(can_list_catalogues(current_user))
    return render_template("catalogue/manage.html", rows=all_catalogues(),
                           may_manage=bool(can_manage_catalogue(current_user)))


@bp.route("/manage/catalogue/new", methods=["GET", "POST"])
@login_required
def create():
    require(can_manage_catalogue(current_user))
    form = CatalogueForm() if request.method == "POST" else CatalogueForm(data={"year": local_today().year})
    message, status = None, 200
    if request.method == "POST":
        status = 400
        if form.validate():
            with commit_or_refusal(form) as attempt:
                catalogue = ops.create_catalogue(current_user, form.to_data())
            if attempt.ok:
                flash("目录已创建（草稿）。请添加类别和事项，核对后发布。", "success")
                return redirect(url_for("catalogue.detail", catalogue_id=catalogue.id), 303)
            message, status = attempt.message, attempt.status
    return render_template("catalogue/form.html", form=form, catalogue=None, message=message), status


def _detail_page(catalogue, category_form=None, status=200, message=None):
    may_manage = bool(can_manage_catalogue(current_user))
    item_ids = [item.id for category in catalogue.categories for item in category.items]
    return render_template("catalogue/detail.html", catalogue=catalogue, item_count=len(item_ids),
                           category_form=category_form or CategoryForm(formdata=None), may_manage=may_manage,
                           in_use=signals.ask(signals.catalogue_items_in_use, item_ids) if may_manage else {},
                           message=message), status


@bp.route("/manage/catalogue/<int:catalogue_id>")
@login_required
def detail(catalogue_id):
    catalogue = _catalogue(catalogue_id)
    require(can_list_catalogues(current_user))
    return _detail_page(catalogue)


@bp.route("/manage/catalogue/<int:catalogue_id>/edit", methods=["GET", "POST"])
@login_required
def edit(catalogue_id):
    catalogue = _catalogue(catalogue_id)
    require(can_manage_catalogue(current_user))
    if request.method == "POST":
        form = CatalogueForm(fixed=True)
    else:
        form = CatalogueForm(fixed=True, data={"title": catalogue.title, "note": catalogue.note})
    message, status = None, 200
    if request.method == "POST":
        status = 400
        if form.validate():
            with commit_or_refusal(form) as attempt:
                ops.update_catalogue(catalogue, current_user, form.to_data())
            if attempt.ok:
                flash("目录信息已保存。", "success")
                return redirect(url_for("catalogue.detail", catalogue_id=catalogue_id), 303)
            message, status = attempt.message, attempt.status
            catalogue = _catalogue(catalogue_id)
    return render_template("catalogue/form.html", form=form, catalogue=catalogue, message=message), status


@bp.route("/manage/catalogue/<int:catalogue_id>/categories", methods=["POST"])
@login_required
def add_category(catalogue_id):
    catalogue = _catalogue(catalogue_id)
    require(can_manage_catalogue(current_user))
    form = CategoryForm()
    if not form.validate():
        return _detail_page(catalogue, form, 400)
    with commit_or_refusal(form) as attempt:
        ops.add_category(catalogue, current_user, form.name.data)
    if not attempt.ok:
        return _detail_page(_catalogue(catalogue_id), form, attempt.status, attempt.message)
    flash("类别已添加。", "success")
    return redirect(url_for("catalogue.detail", catalogue_id=catalogue_id), 303)


@bp.route("/manage/catalogue/categories/<int:category_id>/edit", methods=["GET", "POST"])
@login_required
def edit_category(category_id):
    category = db.get_or_404(CatalogueCategory, category_id)
    require(can_manage_catalogue(current_user))
    form = CategoryForm() if request.method == "POST" else CategoryForm(data={"name": category.name})
    message, status = None, 200
    if request.method == "POST":
        status = 400
        if form.validate():
            catalogue_id = category.catalogue_id
            with commit_or_refusal(form) as attempt:
                ops.rename_category(category, current_user, form.name.data)
            if attempt.ok:
                flash("类别名称已保存。", "success")
                return redirect(url_for("catalogue.detail", catalogue_id=catalogue_id), 303)
            message, status = attempt.message, attempt.status
            category = db.get_or_404(CatalogueCategory, category_id)
    return render_template("catalogue/category.html", form=form, category=category, catalogue=category.catalogue,
                           message=message), status


def _item_page(catalogue, item, form):
    if request.method == "POST":
        if form.validate():
            with commit_or_refusal(form) as attempt:
                ops.save_item(catalogue, current_user, form.to_data(), item)
            if attempt.ok:
                flash("事项已保存。", "success")
                return redirect(url_for("catalogue.detail", catalogue_id=catalogue.id), 303)
            catalogue = _catalogue(catalogue.id)
            item = db.session.get(CatalogueItem, item.id) if item is not None else None
            return render_template("catalogue/item.html", form=form, catalogue=catalogue, item=item,
                                   message=attempt.message), attempt.status
        return render_template("catalogue/item.html", form=form, catalogue=catalogue, item=item, message=None), 400
    return render_template("catalogue/item.html", form=form, catalogue=catalogue, item=item, message=None)


@bp.route("/manage/catalogue/<int:catalogue_id>/items/new", methods=["GET", "POST"])
@login_required
def new_item(catalogue_id):
    catalogue = _catalogue(catalogue_id)
    require(can_manage_catalogue(current_user))
    data = None
    if request.method == "GET" and request.args.get("category", "").isdigit():
        data = {"category_id": request.args["category"]}
    form = ItemForm(categories=catalogue.categories, **({"data": data} if data else {}))
    return _item_page(catalogue, None, form)


@bp.route("/manage/catalogue/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(item_id):
    item = db.get_or_404(CatalogueItem, item_id)
    require(can_manage_catalogue(current_user))
    catalogue = _catalogue(item.catalogue_id)
    if request.method == "POST":
        form = ItemForm(categories=catalogue.categories)
    else:
        form = ItemForm(categories=catalogue.categories, data=item_data(item))
    return _item_page(catalogue, item, form)


@bp.route("/manage/catalogue/items/<int:item_id>/delete", methods=["GET", "POST"])
@login_required
def delete_item(item_id):
    """删除事项: a confirmation page, then the deletion (POST). An item a call names is not deleted: the page says
    why and offers no button; a POST for it is refused (409)."""
    require(can_manage_catalogue(current_user))  # before the lookup: an item just deleted is still the officer's
    item = db.get_or_404(CatalogueItem, item_id)
    catalogue = item.catalogue
    calls = ops.item_calls(item)
    problem = ops.deletion_problem(item, calls, len(catalogue.items))
    form = ButtonForm()
    if request.method == "POST":
        if problem:
            abort(409, problem)
        if not form.validate():
            abort(400)
        name, catalogue_id = item.name, catalogue.id
        with commit_or_refusal(form, taken=ops.NAMED_MEANWHILE) as attempt:  # a call linked it at this moment
            ops.delete_item(item, current_user)
        if not attempt.ok:
            abort(attempt.status, attempt.message)
        flash(f"事项{quoted(name)}已删除。", "success")
        return redirect(url_for("catalogue.detail", catalogue_id=catalogue_id), 303)
    return render_template("catalogue/delete_item.html", item=item, category=item.category, catalogue=catalogue,
                           form=form, problem=problem)


@bp.route("/manage/catalogue/<int:catalogue_id>/publish", methods=["GET", "POST"])
@login_required
def publish(catalogue_id):
    catalogue = _catalogue(catalogue_id)
    require(can_manage_catalogue(current_user))
    problem = ops.publishing_problem(catalogue, len(catalogue.items))
    form = ButtonForm()
    if request.method == "POST":
        if problem:
            abort(409, problem)
        if form.validate():
            with commit_or_refusal(form) as attempt:
                ops.publish(catalogue, current_user, utcnow())
            if attempt.ok:
                flash(f"{quoted(catalogue.title)}已发布，公众可在“服务目录”页面查看。", "success")
                return redirect(url_for("catalogue.detail", catalogue_id=catalogue_id), 303)
            abort(attempt.status, attempt.message)
        abort(400)
    return render_template("catalogue/publish.html", catalogue=catalogue, form=form, problem=problem)

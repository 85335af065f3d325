"""Back-office catalog CSV: streamed export; import as upload → dry run → confirm → job
with a progress bar that polls itself."""
from __future__ import annotations

from flask import Response, abort, flash, g, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.backoffice import bp, require
from app.catalog_admin import export, importer, queries
from app.catalog_admin.forms import ImportForm, StartImportForm
from app.catalog_admin.jobs import ImportRefused, preview_import, start_import
from app.core.db import utcnow
from app.core.htmx import render, see_other

FILE_MESSAGES = {"empty": _l("Le fichier est vide."), "duplicate column": _l("Une colonne apparaît deux fois."),
                 "binary": _l("Ce n’est pas un fichier texte : enregistrez-le au format « CSV UTF-8 »."),
                 "unreadable": _l("Fichier CSV illisible (guillemet non fermé ou cellule trop longue)."),
                 "too many rows": _l("Trop de lignes : %(n)s au plus par fichier.", n=importer.MAX_ROWS)}


@bp.get("/products/export.csv")
@require("catalog:read")
def export_products():
    filters = queries.AdminFilters.from_args(request.args)
    lines = export.export_lines(queries.export_batches(filters), g.tenant.currency, queries.category_paths())
    name = f"produits-{g.tenant.slug}-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _import_page(form, status=200):
    return render_template("backoffice/catalog/import.html", form=form, jobs=queries.recent_imports(),
                           columns=importer.COLUMNS, required=importer.REQUIRED), status


@bp.get("/products/import")
@require("catalog:write")
def import_products():
    return _import_page(ImportForm())


@bp.post("/products/import")
@require("catalog:write")
def upload_import():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = preview_import(current_user, upload.filename or "import.csv", upload.read())
        except importer.FileRefused as exc:
            reason = str(exc)
            message = FILE_MESSAGES.get(reason) or _("Colonnes obligatoires absentes : %(columns)s.",
                                                     columns=reason.removeprefix("missing: "))
            form.file.errors.append(message)
        else:
            return see_other(url_for("backoffice.show_import", job_id=job.id))
    return _import_page(form, 422)


@bp.get("/products/import/<int:job_id>")
@require("catalog:write")
def show_import(job_id: int):
    job = queries.import_job(job_id)  # scoped: another tenant's job is None
    if job is None:
        abort(404)
    return render("backoffice/catalog/import_job.html", "backoffice/catalog/_import_progress.html", job=job,
                  form=StartImportForm())


@bp.post("/products/import/<int:job_id>/start")
@require("catalog:write")
def confirm_import(job_id: int):
    form = StartImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        start_import(current_user, job_id, form.mode.data)
    except LookupError:
        abort(404)
    except ImportRefused as exc:
        flash(_("Import impossible : corrigez d’abord les lignes en erreur, ou importez les lignes valides "
                "seulement.") if str(exc) == "errors" else _("Cet import est déjà lancé ou n’a rien à importer."),
              "error")
    return see_other(url_for("backoffice.show_import", job_id=job_id))

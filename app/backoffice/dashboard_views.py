"""Back-office dashboard: the period's figures against the previous period of equal length."""
from __future__ import annotations

from flask import g, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.backoffice import bp, require
from app.backoffice.charts import bar_chart, hbar_chart
from app.core.fields import FilterDateField
from app.core.htmx import render
from app.core.templating import money
from app.orders.models import STATUS_LABELS
from app.payments.providers.registry import short_labels
from app.reports import dashboard as stats

PERIODS = [SelectChoice("today", _l("Aujourd’hui")), SelectChoice("7d", _l("7 jours")),
           SelectChoice("30d", _l("30 jours")), SelectChoice("365d", _l("12 mois")),
           SelectChoice("custom", _l("Dates choisies"))]


class PeriodForm(FlaskForm):
    """A GET form: the period is in the URL, so a dashboard can be bookmarked and shared."""

    class Meta:
        csrf = False

    # strip_whitespace=False: a period of tabs is a wrong choice, not an empty one
    period = RadioField(_l("Période"), choices=PERIODS, default="30d", validators=[Optional(strip_whitespace=False)],
                        invalid_choice_message=_l("Choisissez une des périodes proposées."))
    start = FilterDateField(_l("Du"), validators=[Optional()])
    end = FilterDateField(_l("Au"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok or self.period.data != "custom":
            return ok
        # Dates matter only for a custom period (Optional() above lets them be empty otherwise).
        start, end = self.start.data, self.end.data
        if start is None:
            self.start.errors.append(_("Indiquez la date de début."))
        if end is None:
            self.end.errors.append(_("Indiquez la date de fin."))
        elif start is not None and end < start:
            self.end.errors.append(_("La date de fin précède la date de début."))
        elif start is not None and (end - start).days + 1 > stats.MAX_DAYS:
            self.end.errors.append(_("Choisissez au plus %(n)s jours.", n=stats.MAX_DAYS))
        return not (self.start.errors or self.end.errors)

    def to_period(self, today, offset) -> stats.Period:
        if self.period.data == "custom":
            return stats.Period(self.start.data, self.end.data, offset)
        return stats.preset(self.period.data or "30d", today, offset)


@bp.get("/dashboard")
@require("dashboard:read")
def dashboard():
    form = PeriodForm(request.args)
    today, offset = stats.local_clock(g.tenant.timezone)
    if not form.validate():
        return render("backoffice/dashboard/index.html", "backoffice/dashboard/_body.html", status=422, form=form,
                      board=None)
    board = stats.dashboard(form.to_period(today, offset), today)
    return render("backoffice/dashboard/index.html", "backoffice/dashboard/_body.html", form=form, board=board,
                  charts=_charts(board), change=stats.change, statuses=STATUS_LABELS,
                  methods=short_labels(), fmt_period=_fmt_period)


def _fmt_period(period: stats.Period) -> str:
    if period.days == 1:
        return format_date(period.first, "d MMM yyyy")
    return _("du %(a)s au %(b)s", a=format_date(period.first, "d MMM yyyy"), b=format_date(period.last, "d MMM yyyy"))


def _bucket_label(first, days: int) -> str:
    if days <= 31:
        return format_date(first, "d MMM")
    if days <= 120:
        return _("sem. du %(d)s", d=format_date(first, "d MMM"))
    return format_date(first, "MMM yy")


def _charts(board: stats.Dashboard) -> dict:
    days = board.period.days
    revenue = [(_bucket_label(first, days), r) for first, _n, r in board.series]
    orders = [(_bucket_label(first, days), n) for first, n, _r in board.series]
    return {
        "revenue": bar_chart(revenue, title=_("Chiffre d’affaires par période"), fmt=money,
                             compare=[r for _f, _n, r in board.previous_series], compare_label=_("période précédente")),
        "orders": bar_chart(orders, title=_("Commandes par période"),
                            compare=[n for _f, n, _r in board.previous_series], compare_label=_("période précédente")),
        "statuses": hbar_chart([(str(STATUS_LABELS.get(s, s)), board.totals.by_status.get(s, 0))
                                for s in STATUS_LABELS], title=_("Commandes par statut")),
        "payments": hbar_chart([(str(short_labels().get(r.method, r.method)), r.rate or 0)
                                for r in board.payment_rates if r.rate is not None],
                               title=_("Taux de réussite des paiements par moyen"), fmt=lambda v: f"{v}\u202f%",
                               maximum=100),
    }



@bp.app_template_filter("local_datetime")
def local_datetime(moment) -> str:
    """A stored naive-UTC time as the tenant's wall clock (dd/mm/yyyy hh:mm)."""
    if moment is None:
        return "—"
    _today, offset = stats.local_clock(g.tenant.timezone)
    return (moment + offset).strftime("%d/%m/%Y %H:%M")

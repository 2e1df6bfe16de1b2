"""Reports (H7): one view for every report over a period — its page and, declared with
``export=True``, its Excel — and one declaration per report: the title, the template, what it
reads and the sheets it exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import render
from django.views import View

from shuangying.audit.exports import watermark_text, xlsx_response
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.excel import Column, XlsxStreamWriter

from .. import reports
from ..filters import PeriodForm
from ..models import Location, Recipient
from .base import xlsx

OBJECT_TYPE = "supplies_report"


@dataclass(frozen=True)
class Sheet:
    """One sheet of a report's Excel: its name, columns, the list in the report's data it
    writes (``rows``) and the attribute of a row in each column (``cells``)."""

    name: str
    columns: tuple[Column, ...]
    rows: str
    cells: tuple[str, ...]

    def write_rows(self, data: dict):
        return ([getattr(r, cell) for cell in self.cells] for r in data[self.rows])


class ReportView(PermissionRequiredMixin, View):
    """A report over a period (开始日期–结束日期, to today when open), within the user's
    stores and recipients; its page is audited as seen, its Excel as exported."""

    title: str
    template_name: str
    sheets: tuple[Sheet, ...]
    export = False

    def get_permission_required(self):
        if self.export:
            return ("supplies.view_stockbalance", "supplies.export_stockbalance")
        return ("supplies.view_stockbalance",)

    def data(self, start: date | None, end: date) -> dict:
        raise NotImplementedError

    def context(self, data: dict) -> dict:
        return data

    def get(self, request):
        form = PeriodForm(request.GET)
        start, end = form.period()
        data = self.data(start, end)
        if self.export:
            return self.excel(data, {"start": str(start or ""), "end": str(end)})
        record_event(
            action=AuditAction.LIST,
            object_type=OBJECT_TYPE,
            summary=f"{self.title} {start or '起始'}至{end}",
        )
        context = {
            "form": form,
            "start": start,
            "end": end,
            "query": request.GET.urlencode(),
            **self.context(data),
        }
        return render(request, self.template_name, context)

    def excel(self, data: dict, filters: dict):
        if len(self.sheets) == 1:
            (sheet,) = self.sheets
            return xlsx(
                self.request,
                title=self.title,
                columns=sheet.columns,
                rows=sheet.write_rows(data),
                object_type=OBJECT_TYPE,
                filters=filters,
            )
        user = self.request.user

        def write(stream) -> int:
            mark = f"{watermark_text(user)} 内部资料 严禁外传"
            count = 0
            with XlsxStreamWriter(stream, creator=user.get_username()) as book:
                for sheet in self.sheets:
                    book.add_sheet(
                        sheet.name, sheet.columns, watermark=mark, header_footer=mark
                    ).write_rows(sheet.write_rows(data))
                    count += len(data[sheet.rows])
            record_event(
                action=AuditAction.EXPORT,
                object_type=OBJECT_TYPE,
                summary=f"导出{self.title}",
                detail={"rows": count, "filters": filters},
            )
            return count

        return xlsx_response(write, self.title)


def _num(label: str, width: int) -> Column:
    return Column(label, width, text=False)


class ItemReportView(ReportView):
    """收发存: per item over the period."""

    title = "物资收发存报表"
    template_name = "supplies/report_items.html"
    sheets = (
        Sheet(
            "物资收发存报表",
            (
                Column("类别", 10),
                Column("物资", 18),
                Column("单位", 6),
                _num("期初", 12),
                _num("采购", 12),
                _num("捐赠", 12),
                _num("加工产出", 10),
                _num("加工投入", 10),
                _num("发放", 12),
                _num("调拨净额", 10),
                _num("期末库存", 12),
                _num("金额（元）", 14),
            ),
            "rows",
            ("category", "item", "unit", *reports.FIELDS[:-2], "transferred", "on_hand", "value"),
        ),
    )

    def data(self, start, end):
        locations = Location.objects.restrict(self.request.user)
        return {"rows": reports.item_report(start=start, end=end, locations=locations)}

    def context(self, data):
        rows = data["rows"]
        return {
            "rows": [r for r in rows if any(getattr(r, x) for x in reports.FIELDS)],
            "total": sum((r.value for r in rows), Decimal(0)),
        }


class RecipientReportView(ReportView):
    """What each recipient received over the period, in how many batches."""

    title = "领用单位发放汇总"
    template_name = "supplies/report_recipients.html"
    sheets = (
        Sheet(
            "领用单位发放汇总",
            (
                Column("领用单位", 22),
                Column("类型", 10),
                Column("物资", 18),
                Column("单位", 6),
                _num("发放数量", 12),
                _num("批次数", 8),
            ),
            "rows",
            ("recipient", "kind", "item", "unit", "issued", "batches"),
        ),
    )

    def data(self, start, end):
        recipients = Recipient.objects.restrict(self.request.user)
        return {"rows": reports.recipient_report(start=start, end=end, recipients=recipients)}


class ReserveReportView(ReportView):
    """Grain and oil in days of consumption, and the items under their minimum stock."""

    title = "粮油储备与低库存预警"
    template_name = "supplies/report_reserves.html"
    sheets = (
        Sheet(
            "粮油储备",
            (
                Column("物资", 18),
                Column("单位", 6),
                _num("库存", 12),
                _num("日消耗量", 10),
                _num("可供应天数", 10),
                _num("期内投放", 12),
            ),
            "reserves",
            ("item", "unit", "on_hand", "daily_consumption", "days", "issued"),
        ),
        Sheet(
            "低库存预警",
            (
                Column("类别", 10),
                Column("物资", 18),
                Column("单位", 6),
                _num("库存", 12),
                _num("最低库存", 12),
            ),
            "low",
            ("category", "item", "unit", "on_hand", "min_stock"),
        ),
    )

    def data(self, start, end):
        locations = Location.objects.restrict(self.request.user)
        return {
            "reserves": reports.reserve_days(start=start, end=end, locations=locations),
            "low": reports.low_stock(locations=locations),
        }

"""Pages of the places registry (C1): list, create/edit, detail with the current code,
revoke/reissue, posters one by one and per township."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.audit.exports import watermark_text, xlsx_response
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.core.excel import Column, write_xlsx
from shuangying.pages import paginate

from .filters import place_list_queryset
from .forms import PlaceForm, PosterBatchForm
from .models import Place, PosterBatch
from .posters import PosterFontMissing
from .services import (
    PLACE_FIELDS,
    create_place,
    issue_place_code,
    poster_pdf,
    request_poster_batch,
    revoke_place_code,
    update_place,
)
from .tokens import checkin_url, public_base_url


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


class PlaceListView(PermissionRequiredMixin, TemplateView):
    permission_required = "places.view_place"
    template_name = "places/place_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, qs = place_list_queryset(self.request.user, self.request.GET)
        page = paginate(self.request, qs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(
            filter=form,
            page=page,
            query=params.urlencode(),
            batch_form=PosterBatchForm(user=self.request.user),
        )
        return ctx


PLACE_COLUMNS = (
    Column("名称", 24),
    Column("场所类型", 12),
    Column("所在区划", 16),
    Column("区划路径", 22),
    Column("地址", 30),
    Column("责任单位", 16),
    Column("负责人", 10),
    Column("状态", 8),
)


class PlaceExportView(PermissionRequiredMixin, View):
    """The places list as shown (same filters, same jurisdiction), watermarked and audited."""

    permission_required = "places.view_place"

    def get(self, request):
        form, qs = place_list_queryset(request.user, request.GET)
        return xlsx_response(lambda stream: self.write(request, form, qs, stream), "场所台账")

    @staticmethod
    def write(request, form, queryset, stream) -> int:
        mark = watermark_text(request.user)
        rows = (
            [
                p.name,
                p.get_type_display(),
                p.division.name,
                p.division.path,
                p.address,
                p.responsible_unit.name if p.responsible_unit else "",
                p.contact_name,
                "启用" if p.is_active else "停用",
            ]
            for p in queryset.iterator(chunk_size=2000)
        )
        count = write_xlsx(
            stream,
            sheet_name="场所台账",
            columns=PLACE_COLUMNS,
            rows=rows,
            watermark=f"{mark} 内部资料 严禁外传",
            creator=request.user.get_username(),
        )
        record_event(
            action=AuditAction.EXPORT,
            object_type="place",
            summary=f"导出场所台账 {count}行",
            detail={"rows": count, "filters": form.audit_detail(), "watermark": mark},
        )
        return count


class PlaceDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "places.view_place"
    template_name = "places/place_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        place = get_restricted_or_404(
            Place.objects.select_related("division", "responsible_unit"), user, pk=kwargs["pk"]
        )
        codes = list(place.codes.select_related("issued_by")[:10])
        current = next((c for c in codes if c.revoked_at is None), None)
        url = checkin_url(current, public_base_url(self.request)) if current else ""
        ctx.update(
            place=place,
            current=current,
            codes=codes,
            url=url,
            qr_svg=_qr_svg(url) if current else "",
            can_change=Place.objects.restrict(user, "change").filter(pk=place.pk).exists(),
        )
        return ctx


def _qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


class PlaceFormView(PermissionRequiredMixin, View):
    template_name = "places/place_form.html"

    def render_form(self, form, place=None, status=200):
        return render(
            self.request, self.template_name, {"form": form, "place": place}, status=status
        )


class PlaceCreateView(PlaceFormView):
    permission_required = "places.add_place"

    def get(self, request):
        return self.render_form(PlaceForm(user=request.user))

    def post(self, request):
        form = PlaceForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        place = create_place(
            actor=request.user,
            is_active=data["is_active"],
            **{f: data[f] for f in PLACE_FIELDS},
        )
        messages.success(request, f"已新增场所 {place.name}，场所码已签发")
        return redirect(place)


class PlaceUpdateView(PlaceFormView):
    permission_required = "places.change_place"

    def get_place(self):
        return get_restricted_or_404(Place, self.request.user, "change", pk=self.kwargs["pk"])

    def get(self, request, pk):
        place = self.get_place()
        initial = {f: getattr(place, f) for f in PLACE_FIELDS}
        initial["is_active"] = place.is_active
        return self.render_form(PlaceForm(user=request.user, initial=initial), place)

    def post(self, request, pk):
        place = self.get_place()
        form = PlaceForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_form(form, place, status=400)
        data = form.cleaned_data
        update_place(
            actor=request.user,
            place=place,
            is_active=data["is_active"],
            **{f: data[f] for f in PLACE_FIELDS},
        )
        messages.success(request, "已保存")
        return redirect(place)


class PlaceCodeReissueView(PermissionRequiredMixin, View):
    """Revoke the current code and issue a new one: old posters stop working."""

    permission_required = "places.change_place"

    def post(self, request, pk):
        place = get_restricted_or_404(Place, request.user, "change", pk=pk)
        issue_place_code(actor=request.user, place=place)
        messages.success(request, "已重新签发场所码，旧海报已失效，请打印新海报")
        return redirect(place)


class PlaceCodeRevokeView(PermissionRequiredMixin, View):
    permission_required = "places.change_place"

    def post(self, request, pk):
        place = get_restricted_or_404(Place, request.user, "change", pk=pk)
        revoke_place_code(actor=request.user, place=place)
        messages.warning(request, "场所码已作废，扫描旧海报将无法登记")
        return redirect(place)


class PlacePosterView(PermissionRequiredMixin, View):
    """The A4 poster of one place's current code."""

    permission_required = "places.view_place"

    def get(self, request, pk):
        place = get_restricted_or_404(Place, request.user, pk=pk)
        code = place.codes.filter(revoked_at__isnull=True).select_related("place__division")
        code = code.first()
        if code is None:
            raise Http404
        try:
            data = poster_pdf([code], base_url=public_base_url(request))
        except PosterFontMissing as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        record_event(
            action=AuditAction.EXPORT,
            object_type="place",
            object_id=place.pk,
            summary=f"打印场所码 {place.name}",
        )
        return pdf_response(data, f"场所码_{place.name}.pdf")


class PosterBatchCreateView(PermissionRequiredMixin, View):
    permission_required = "places.view_place"

    def post(self, request):
        form = PosterBatchForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, "请选择管辖范围内的乡镇（街道）")
            return redirect("places:place_list")
        batch = request_poster_batch(
            actor=request.user,
            division=form.cleaned_data["division"],
            base_url=public_base_url(request),
        )
        return redirect(batch)


class PosterBatchView(PermissionRequiredMixin, TemplateView):
    """A bulk PDF's status; ``?download=1`` sends it. A batch is its requester's alone."""

    permission_required = "places.view_place"
    template_name = "places/poster_batch.html"

    def get(self, request, *args, **kwargs):
        batch = PosterBatch.objects.filter(pk=kwargs["pk"], requested_by=request.user).first()
        if batch is None:
            raise Http404
        if request.GET.get("download") and batch.status == PosterBatch.Status.DONE:
            at = timezone.localtime(batch.finished_at)
            return pdf_response(bytes(batch.pdf), f"场所码_{batch.division.name}_{at:%Y%m%d}.pdf")
        return self.render_to_response({"batch": batch})

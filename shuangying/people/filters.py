"""One filter for the people list, its export and the API (STYLE: NetBox's FilterSet habit)."""

from __future__ import annotations

import functools
import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuangying.divisions.models import Division

from .choices import Sex
from .identity import IdentityError, normalize_phone, normalize_resident_id
from .models import Person, Tag, id_number_hash, phone_hash

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "birth": ("birth_date", "id"),
    "-birth": ("-birth_date", "-id"),
}


def identifier_hash(text: str) -> tuple[str, str] | None:
    """The keyed hash and column for a full document number or phone, else None.

    Pages turn such a search into the hash before it reaches a URL (PersonListView.post), so
    the plaintext never lands in access logs, browser history or the audit trail."""
    text = re.sub(r"\s+", "", text or "")
    if len(text) in (15, 18):
        try:
            return id_number_hash(normalize_resident_id(text)), "id_number_hash"
        except IdentityError:
            pass
    if re.fullmatch(r"\+?\d{11,13}|0\d{2,3}-?\d{7,8}", text):
        try:
            return phone_hash(normalize_phone(text)), "phone_hash"
        except IdentityError:
            pass
    if re.fullmatch(r"[A-Za-z0-9]{5,17}", text) and sum(c.isdigit() for c in text) >= 5:
        # A passport or permit number, or a malformed ID: looked up exactly as typed.
        return id_number_hash(text.upper()), "id_number_hash"
    return None


def search_q(text: str) -> tuple[Q, str]:
    """Q for a search box entry and a safe description of it for the audit log.

    A full ID number or phone is found through its keyed hash; 4 digits (or 3 + X) match the
    last four of either; anything else matches the start of the name."""
    text = re.sub(r"\s+", "", text or "")
    if not text:
        return Q(), ""
    if re.fullmatch(r"\d{3}[\dXx]|\d{4}", text):
        last4 = text.upper()
        return Q(id_last4=last4) | Q(phone_last4=last4), f"后四位 {last4}"
    found = identifier_hash(text)
    if found:
        digest, column = found
        label = "电话（完整）" if column == "phone_hash" else "证件号码（完整）"
        return Q(**{column: digest}), label
    # Names match from their first character (surname first): an indexed prefix search, where
    # "contains" would read every row of a county of a million.
    return name_prefix_q(text), f"姓名 {text[:20]}"


def name_prefix_q(text: str) -> Q:
    """Names starting with ``text``. Where the database orders text by code point (SQLite;
    PostgreSQL with a C collation) the same prefix is also given as a range, so that the list's
    ORDER BY name can start reading the name index at the prefix instead of at "阿"."""
    q = Q(name__startswith=text)
    if codepoint_collation():
        q &= Q(name__gte=text, name__lt=text + "\U0010ffff")
    return q


@functools.cache
def codepoint_collation() -> bool:
    from django.db import connection

    if connection.vendor == "sqlite":
        return True
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        collate = cursor.fetchone()[0]
    return collate in {"C", "POSIX", "C.UTF-8", "C.utf8"}


HASH_RE = re.compile(r"^[0-9a-f]{64}$")


class PersonFilter(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=40)
    # A full document number or phone arrives here as its keyed hash (see identifier_hash).
    h = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    division = forms.ModelChoiceField(
        label=_("区划"), queryset=Division.objects.none(), required=False
    )
    tag = forms.ModelChoiceField(
        label=_("标签"), queryset=Tag.objects.all(), required=False, to_field_name="code"
    )
    sex = forms.ChoiceField(label=_("性别"), choices=[("", "全部"), *Sex.choices], required=False)
    verified = forms.ChoiceField(
        label=_("核实"),
        required=False,
        choices=[("", "全部"), ("yes", "已核实"), ("no", "待核实")],
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("name", "姓名"),
            ("-created", "最近录入"),
            ("created", "最早录入"),
            ("birth", "年龄从大到小"),
            ("-birth", "年龄从小到大"),
            ("-name", "姓名倒序"),
        ],
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        field = self.fields["division"]
        # Any division in the user's subtrees is a valid filter; the menu offers only their
        # own divisions and one level below (a county has thousands of grids: listing them
        # all made every page render 3,000 options).
        field.queryset = Division.objects.in_jurisdiction(user)
        field.widget.choices = [("", "全部"), *division_menu(user, self.data.get("division"))]

    def filter_queryset(self, queryset):
        """Apply the valid filters to an already restricted queryset."""
        data = self.cleaned_data if self.is_valid() else {}
        self.search_description = ""
        q, self.search_description = search_q(data.get("q", ""))
        queryset = queryset.filter(q)
        digest = (data.get("h") or "").lower()
        if digest:
            if HASH_RE.match(digest):
                queryset = queryset.filter(Q(id_number_hash=digest) | Q(phone_hash=digest))
            else:
                queryset = queryset.none()
            self.search_description = "证件号码或电话（完整）"
        if data.get("division"):
            queryset = queryset.within(data["division"])
        if data.get("tag"):
            queryset = queryset.filter(tags=data["tag"])
        if data.get("sex"):
            queryset = queryset.filter(sex=data["sex"])
        if data.get("verified"):
            queryset = queryset.filter(is_verified=data["verified"] == "yes")
        return queryset.order_by(*SORTS.get(data.get("sort") or "name", SORTS["name"]))

    def audit_detail(self) -> dict:
        """What the audit row says about this search: never the plaintext entered."""
        data = self.cleaned_data if self.is_valid() else {}
        detail = {k: str(v) for k, v in data.items() if v and k not in ("q", "h")}
        if getattr(self, "search_description", ""):
            detail["q"] = self.search_description
        return detail


def division_menu(user, selected=None) -> list[tuple[int, str]]:
    """(id, label) for a division filter menu: the user's divisions and their children, and
    the selected division if it lies deeper."""
    paths = user.division_paths()
    tops = (
        list(Division.objects.filter(parent__isnull=True))
        if paths is None
        else list(user.divisions.order_by("path"))
    )
    shown = Division.objects.filter(Q(pk__in=[d.pk for d in tops]) | Q(parent__in=tops))
    if selected and str(selected).isdigit():
        shown = shown | Division.objects.in_jurisdiction(user).filter(pk=int(selected))
    top_level = min((d.level for d in tops), default=1)
    return [
        (d.pk, "\u3000" * max(d.level - top_level, 0) + d.name)
        for d in shown.order_by("path").only("id", "name", "level", "path")
    ]


def person_list_queryset(user, params):
    """The list shown to ``user`` for request parameters ``params``: restricted, filtered."""
    form = PersonFilter(params, user=user)
    qs = form.filter_queryset(Person.objects.restrict(user))
    return form, qs.select_related("division", "household")

"""Reads of supplies, scoped by jurisdiction in one place (A4).

Stores belong to a division (the county reserve to the county, a township store to its
township). A document is visible where its store is, where its recipient is, and — for a
recipient that is a department, or a purchase that a department reviews — to that
department's staff. The catalogue is the county's and visible to everyone holding the
codename."""

from __future__ import annotations

from django.db.models import Q

from shuangying.access import WHOLE_TREE, RestrictedQuerySet, widen


class CatalogueQuerySet(RestrictedQuerySet):
    """Categories, items, budgets: one county catalogue, no jurisdiction beyond the role."""

    def jurisdiction_q(self, user) -> Q:
        return WHOLE_TREE


class LocationQuerySet(RestrictedQuerySet):
    def stores(self):
        from .choices import STORE_KINDS

        return self.filter(kind__in=STORE_KINDS)


class RecipientQuerySet(RestrictedQuerySet):
    department_field = "department_id"

    def jurisdiction_q(self, user) -> Q:
        # An enterprise's contact holds no division: it sees the enterprise it speaks for.
        return widen(super().jurisdiction_q(user), Q(contact_account=user.pk))


class BalanceQuerySet(RestrictedQuerySet):
    division_path_fields = ("location__division__path",)


class MoveQuerySet(RestrictedQuerySet):
    division_path_fields = ("from_location__division__path", "to_location__division__path")


class PurchaseQuerySet(RestrictedQuerySet):
    division_path_fields = ("location__division__path",)

    def jurisdiction_q(self, user) -> Q:
        q = super().jurisdiction_q(user)
        if user.department_id:
            from .models import PurchaseReview

            q = widen(
                q,
                Q(
                    pk__in=PurchaseReview.objects.filter(department_id=user.department_id).values(
                        "request_id"
                    )
                ),
            )
        return q


class DonationQuerySet(RestrictedQuerySet):
    division_path_fields = ("location__division__path",)


class ProcessingQuerySet(RestrictedQuerySet):
    division_path_fields = ("location__division__path",)


class DispatchQuerySet(RestrictedQuerySet):
    division_path_fields = ("source__division__path", "recipient__division__path")
    department_field = "recipient__department_id"


class IssueQuerySet(RestrictedQuerySet):
    division_path_fields = ("order__source__division__path", "order__recipient__division__path")
    department_field = "order__recipient__department_id"


class EnterpriseRequestQuerySet(RestrictedQuerySet):
    division_path_fields = ("recipient__division__path",)

    def jurisdiction_q(self, user) -> Q:
        # Also what the user asked for, and an enterprise contact's own enterprise's requests.
        return widen(
            super().jurisdiction_q(user),
            Q(created_by=user.pk) | Q(recipient__contact_account=user.pk),
        )

"""The division tree (A1) and responsibility assignments (A3)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangying.audit.logging import Audited

from .choices import KIND_LEVEL, DivisionKind, DivisionLevel
from .querysets import DivisionQuerySet


class Division(Audited, models.Model):
    """A node of county → township/street → village/community → compound/building → grid.

    ``path`` is the materialised path of segments (``130682/100/201/01/G1/``): a subtree is
    one prefix query on an indexed column, never recursion in Python.
    """

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=DivisionKind.choices)
    level = models.PositiveSmallIntegerField(_("层级"), choices=DivisionLevel.choices)
    code = models.CharField(_("代码"), max_length=12)
    name = models.CharField(_("名称"), max_length=60)
    path = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True)

    objects = DivisionQuerySet.as_manager()
    audit_type = "division"

    class Meta:
        ordering = ["path"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        permissions = [("import_division", "Can import the division tree")]
        indexes = [
            # LIKE 'prefix%' uses this index on PostgreSQL whatever the cluster's collation.
            models.Index(
                fields=["path"], name="division_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["level", "path"], name="division_level_path"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "code"], name="division_code_unique_in_parent"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5),
                name="division_level_range",
                violation_error_message=_("层级应在1到5之间"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("divisions:division_detail", args=[self.pk])

    @property
    def expected_level(self) -> int:
        return KIND_LEVEL[DivisionKind(self.kind)]

    def ancestor_paths(self) -> list[str]:
        parts = self.path.strip("/").split("/")
        return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]

    def ancestors(self):
        return Division.objects.filter(path__in=self.ancestor_paths()).order_by("level")

    def full_name(self) -> str:
        names = [d.name for d in self.ancestors() if d.level > DivisionLevel.COUNTY]
        return "".join([*names, self.name])


class Assignment(Audited, models.Model):
    """A leader (a user) or a unit (a department) answering for an object (A3): a division now;
    enterprises, projects and shops later. Generic so that later modules add objects without
    new tables."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("责任领导"),
    )
    unit = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("责任单位"),
    )
    duty = models.CharField(_("职责"), max_length=60, default="包联")
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    audit_type = "assignment"

    class Meta:
        verbose_name = _("包联责任")
        verbose_name_plural = _("包联责任")
        indexes = [models.Index(fields=["content_type", "object_id"], name="assignment_target")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(leader__isnull=False) | models.Q(unit__isnull=False),
                name="assignment_has_leader_or_unit",
                violation_error_message=_("包联责任需指定责任领导或责任单位"),
            )
        ]

    def __str__(self) -> str:
        who = self.leader or self.unit
        return f"{who} {self.duty} {self.target}"

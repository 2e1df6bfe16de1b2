from django.db import models
from django.utils.translation import gettext_lazy as _


class LocationKind(models.TextChoices):
    """Where stock is (a store) or where it comes from and goes to (H6): every quantity comes
    from somewhere and goes somewhere, so suppliers, donors, processing and consumption are
    locations too; only stores hold a balance."""

    COUNTY_RESERVE = "county_reserve", _("县级储备库")
    DEPARTMENT_STORE = "department_store", _("部门库")
    TOWNSHIP_STORE = "township_store", _("乡镇库")
    SUPPLIER = "supplier", _("供应商")
    DONOR = "donor", _("捐赠方")
    PROCESSING = "processing", _("加工")
    CONSUMPTION = "consumption", _("发放使用")
    OPENING = "opening", _("期初储备")


STORE_KINDS = (
    LocationKind.COUNTY_RESERVE,
    LocationKind.DEPARTMENT_STORE,
    LocationKind.TOWNSHIP_STORE,
)


class MoveKind(models.TextChoices):
    """What a stock move is; a reversal carries the kind of the move it reverses."""

    OPENING = "opening", _("期初储备")
    PURCHASE = "purchase", _("采购入库")
    DONATION = "donation", _("捐赠入库")
    PROCESSING_IN = "processing_in", _("加工产出")
    PROCESSING_OUT = "processing_out", _("加工投入")
    TRANSFER = "transfer", _("调拨")
    ISSUE = "issue", _("发放")


class PurchaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("联合预审中")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("预审通过")
    ORDERED = "ordered", _("已订购")
    RECEIVED = "received", _("已验收入库")
    CANCELLED = "cancelled", _("已撤销")


# 订购前联合预审: the four departments of seed 000, by Department.code. All must approve.
REVIEW_DEPARTMENTS = ("finance", "health", "market_regulation", "industry")
REVIEW_DEPARTMENT_NAMES = {
    "finance": _("财政局"),
    "health": _("卫健局"),
    "market_regulation": _("市场监管局"),
    "industry": _("工信局"),
}


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("待审")
    APPROVED = "approved", _("同意")
    RETURNED = "returned", _("退回")


class DonorKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    PERSON = "person", _("个人")
    GOVERNMENT = "government", _("政府机关")
    OTHER = "other", _("其他组织")


class DonationStatus(models.TextChoices):
    PENDING = "pending", _("待验收")
    ACCEPTED = "accepted", _("已验收入库")


class RecipientKind(models.TextChoices):
    UNIT = "unit", _("单位")
    TOWNSHIP = "township", _("乡镇（街道）")
    CHECKPOINT = "checkpoint", _("卡口")
    QUARANTINE_SITE = "quarantine_site", _("隔离点")
    ENTERPRISE = "enterprise", _("企业")


class DispatchStatus(models.TextChoices):
    OPEN = "open", _("待发放")
    PARTIAL = "partial", _("部分发放")
    ISSUED = "issued", _("已发放")
    CANCELLED = "cancelled", _("已撤销")


class IssueStatus(models.TextChoices):
    ISSUED = "issued", _("已出库待签收")
    SIGNED = "signed", _("已签收")
    CANCELLED = "cancelled", _("已撤销")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    FROM_STOCK = "from_stock", _("由库存调拨")
    BY_PURCHASE = "by_purchase", _("转为采购")
    DECLINED = "declined", _("不予支持")

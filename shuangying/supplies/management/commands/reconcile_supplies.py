"""``manage.py reconcile_supplies``: prove every stock balance (and its daily summary) equals
the sum of its moves (H6).

Exits non-zero, listing the differences, when any balance does not."""

from django.core.management.base import BaseCommand, CommandError

from shuangying.supplies.ledger import fmt, reconcile
from shuangying.supplies.models import Item, Location, StockBalance, StockMove


class Command(BaseCommand):
    help = "核对每个库点每种物资的库存是否等于出入库记录之和；不一致时列出并以非零状态退出。"

    def handle(self, *args, **options):
        differences = reconcile()
        balances = StockBalance.objects.count()
        moves = StockMove.objects.count()
        if not differences:
            self.stdout.write(
                self.style.SUCCESS(f"账实相符：{balances}条库存，{moves}条出入库记录。")
            )
            return
        names = dict(Location.objects.values_list("pk", "name"))
        items = dict(Item.objects.values_list("pk", "name"))
        for d in differences:
            self.stderr.write(
                f"{names.get(d.location_id, d.location_id)} {items.get(d.item_id, d.item_id)}："
                f"{d.what} {fmt(d.balance)}，出入库合计 {fmt(d.ledger)}"
            )
        raise CommandError(f"账实不符：{len(differences)}处")

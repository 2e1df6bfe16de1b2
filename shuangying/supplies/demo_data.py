"""The seed's figures for the supplies demo (seed 000, Quwo), read by ``demo.py``: items,
purchases, donations, processing, opening reserves, issues and recipients. What the seed does
not give is marked "assumed" (see ``demo.py``'s docstring)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .choices import DonorKind, RecipientKind

D = Decimal

CATEGORIES = [("医疗防护", 1), ("消杀", 2), ("生活保障", 3), ("粮油储备", 4)]

# (name, category, base unit, specification, minimum stock (assumed), conversions)
ITEMS = [
    ("一次性医用口罩", "医疗防护", "个", "", 2000, ()),
    ("医用外科口罩", "医疗防护", "个", "非无菌", 2000, ()),
    ("普通防护口罩", "医疗防护", "个", "", 2000, ()),
    ("防尘口罩", "医疗防护", "个", "", 0, ()),
    ("一次性医用橡胶手套", "医疗防护", "双", "", 1000, ()),
    ("普通防护手套", "医疗防护", "双", "", 1000, ()),
    ("医用防护服", "医疗防护", "套", "", 50, ()),
    ("医用白大褂", "医疗防护", "套", "", 50, ()),
    ("一次性医用手术帽", "医疗防护", "顶", "", 200, ()),
    ("红外线体温监测仪", "医疗防护", "台", "额温枪", 10, ()),
    ("酒精", "消杀", "桶", "75%,2kg/桶", 100, (("kg", "0.5"),)),
    ("含氯消毒剂", "消杀", "吨", "", 0.5, (("kg", "0.001"),)),
    ("次氯酸钠浓缩制剂", "消杀", "吨", "", 0, (("kg", "0.001"),)),
    # A 壶 is 10 L; the dilute solution weighs about 1 kg per litre, so 1 t ≈ 100 壶.
    ("次氯酸钠消毒液", "消杀", "壶", "10L/壶", 50, (("L", "0.1"), ("吨", "100"))),
    ("燃油喷雾器", "消杀", "台", "", 0, ()),
    ("超低容量喷雾器", "消杀", "台", "", 20, ()),
    ("酒精小喷壶", "消杀", "个", "", 10, ()),
    ("棉手套", "生活保障", "副", "", 20, ()),
    ("防冻耳帽", "生活保障", "个", "", 20, ()),
    ("雨衣", "生活保障", "件", "", 50, ()),
    ("储备箱", "生活保障", "个", "", 0, ()),
    ("单帐篷", "生活保障", "顶", "", 0, ()),
    ("棉帐篷", "生活保障", "顶", "", 0, ()),
    ("棉大衣", "生活保障", "件", "", 0, ()),
    ("棉被", "生活保障", "件", "", 0, ()),
    ("棉褥", "生活保障", "件", "", 0, ()),
    ("棉衣裤", "生活保障", "件", "", 0, ()),
    ("折叠床", "生活保障", "张", "", 0, ()),
]

# Grain and oil reserves (H7). Seed 000 gives none for Quwo; these are seed 004's (Suichang's)
# figures: 13,400 t of grain was about 150 days for its people, 190 t of rice and 50 t of oil
# were released. Assumed: the reserve before the release, and the oil's daily consumption.
GRAIN_ITEMS = [
    ("储备粮（大米）", "吨", D("13590"), D("89.333"), D("190"), D("4000")),
    ("储备食用油", "吨", D("350"), D("2"), D("50"), D("9000")),
]

# Purchases (H2): (number, date, supplier (assumed), reason, [(item, quantity ordered,
# price per unit (assumed), quantity accepted)], returned by (department code, comment) or
# None). 17 lines, ¥693,740 accepted in all.
PURCHASES = [
    (
        "CG-2020-001",
        date(2020, 1, 25),
        "临汾市康宁医疗器械有限公司",
        "疫情防控一线人员防护急需",
        [
            ("一次性医用口罩", 10000, "1.50", 10000),
            ("医用外科口罩", 17960, "2.50", 17960),
            ("一次性医用橡胶手套", 30250, "1.20", 30250),
            ("一次性医用手术帽", 500, "0.50", 500),
        ],
        None,
    ),
    (
        "CG-2020-002",
        date(2020, 1, 27),
        "山西仁和医疗用品有限公司",
        "发热门诊、隔离点医护人员防护",
        [
            # 300 ordered; joint acceptance rejected 21 whose seams failed the check.
            ("医用防护服", 300, "150.00", 279),
            ("医用白大褂", 812, "60.00", 812),
            ("红外线体温监测仪", 58, "500.00", 58),
        ],
        ("finance", "体温监测仪单价偏高，请再询价后重新提交"),
    ),
    (
        "CG-2020-003",
        date(2020, 1, 29),
        "曲沃县华康医药有限公司",
        "公共场所、卡口、隔离点消杀",
        [
            ("酒精", 1840, "60.00", 1840),
            ("含氯消毒剂", "2.75", "12000.00", "2.75"),
            ("酒精小喷壶", 50, "5.00", 50),
        ],
        None,
    ),
    (
        "CG-2020-004",
        date(2020, 2, 3),
        "山西农丰植保机械有限公司",
        "城乡环境消杀作业",
        [
            ("燃油喷雾器", 10, "3500.00", 10),
            ("超低容量喷雾器", 300, "600.00", 300),
        ],
        None,
    ),
    (
        "CG-2020-005",
        date(2020, 2, 6),
        "临汾市鑫源劳保用品有限公司",
        "卡口值守人员御寒和野外执勤",
        [
            ("棉手套", 130, "10.60", 130),
            ("防冻耳帽", 130, "15.00", 130),
            ("雨衣", 300, "30.00", 300),
            ("储备箱", 20, "200.00", 20),
            ("单帐篷", 94, "1093.00", 94),
        ],
        None,
    ),
]
PURCHASED_TOTAL = D("693740.00")

# Donations (H3): (number, date, kind, donor, anonymous, item, quantity, declared value in
# yuan (assumed)).
DONATIONS = [
    (
        "JZ-2020-001",
        date(2020, 1, 28),
        DonorKind.ENTERPRISE,
        "曲沃县医药公司",
        False,
        "普通防护口罩",
        D("21570"),
        D("17256.00"),
    ),
    (
        "JZ-2020-002",
        date(2020, 2, 2),
        DonorKind.ENTERPRISE,
        "榆社化工股份有限公司",
        False,
        "次氯酸钠浓缩制剂",
        D("3"),
        D("9000.00"),
    ),
    (
        "JZ-2020-003",
        date(2020, 2, 5),
        DonorKind.PERSON,
        "王涛（阳泉）",
        False,
        "防尘口罩",
        D("900"),
        D("1800.00"),
    ),
    (
        "JZ-2020-004",
        date(2020, 2, 8),
        DonorKind.GOVERNMENT,
        "大宁县人民政府",
        False,
        "普通防护手套",
        D("42500"),
        D("21250.00"),
    ),
    (
        "JZ-2020-005",
        date(2020, 2, 12),
        DonorKind.ENTERPRISE,
        "山西众力建筑工程有限公司",
        False,
        "医用外科口罩",
        D("600"),
        D("1500.00"),
    ),
]

PROCESSING_DATE = date(2020, 2, 4)
SOLUTION_JUGS = D("630")  # ~6.3 t of solution in 10 L jugs

# Opening reserves (H6), 24 January 2020: (item, quantity, value per unit (assumed)).
OPENING = [
    ("单帐篷", 22, "1093.00"),
    ("棉帐篷", 100, "1500.00"),
    ("棉大衣", 791, "150.00"),
    ("棉被", 351, "120.00"),
    ("棉褥", 33, "80.00"),
    ("棉衣裤", 8, "100.00"),
    ("折叠床", 343, "150.00"),
]
OPENING_DATE = date(2020, 1, 24)

# Issued in 41 batches (H5): the seed's quantities.
ISSUED = {
    "普通防护口罩": D("21570"),
    "一次性医用口罩": D("10000"),
    "医用外科口罩": D("12760"),
    "一次性医用橡胶手套": D("30157"),
    "医用防护服": D("272"),
    "医用白大褂": D("25"),
    "一次性医用手术帽": D("500"),
    "红外线体温监测仪": D("58"),
    "酒精": D("296"),
    "含氯消毒剂": D("0.75"),
    "次氯酸钠消毒液": D("221"),
    "防尘口罩": D("900"),
    "普通防护手套": D("36275"),
    "棉手套": D("90"),
    "防冻耳帽": D("90"),
    "雨衣": D("36"),
    "超低容量喷雾器": D("88"),
    "储备箱": D("15"),
    "酒精小喷壶": D("5"),
    "单帐篷": D("116"),
    "棉帐篷": D("100"),
    "棉大衣": D("791"),
    "棉被": D("351"),
    "棉褥": D("33"),
    "棉衣裤": D("8"),
    "折叠床": D("343"),
}
BATCHES = 41
ISSUE_START = date(2020, 2, 13)  # every receipt is in by 12 February
ISSUE_END = date(2020, 3, 4)

# Recipients (assumed): (name, kind, township name or None for the county).
RECIPIENTS = [
    ("县人民医院", RecipientKind.UNIT, None),
    ("县中医医院", RecipientKind.UNIT, None),
    ("县疾病预防控制中心", RecipientKind.UNIT, None),
    ("县公安局", RecipientKind.UNIT, None),
    ("乐昌镇", RecipientKind.TOWNSHIP, "乐昌镇"),
    ("史村镇", RecipientKind.TOWNSHIP, "史村镇"),
    ("曲村镇", RecipientKind.TOWNSHIP, "曲村镇"),
    ("高显镇", RecipientKind.TOWNSHIP, "高显镇"),
    ("凤城街道", RecipientKind.TOWNSHIP, "凤城街道"),
    ("曲沃高速口卡点", RecipientKind.CHECKPOINT, "乐昌镇"),
    ("县集中隔离医学观察点", RecipientKind.QUARANTINE_SITE, None),
    ("县交通运输局", RecipientKind.UNIT, None),
    ("县市场监督管理局", RecipientKind.UNIT, None),
]
ENTERPRISE = "演示食品有限公司"
ENTERPRISE_MASKS = D("500")  # its request for surgical masks for resumption (H8), from stock
ENTERPRISE_BATCHES = 2

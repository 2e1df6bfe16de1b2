"""Chinese personal names for demo and benchmark data: surnames with rough frequencies,
given-name characters by sex and generation."""

from __future__ import annotations

import random
from itertools import accumulate

SURNAMES = {
    # Frequencies roughly as in national statistics, with Shanxi's own names weighed up.
    "王": 72,
    "李": 70,
    "张": 66,
    "刘": 54,
    "陈": 30,
    "杨": 32,
    "赵": 26,
    "黄": 10,
    "周": 16,
    "吴": 12,
    "徐": 10,
    "孙": 14,
    "胡": 10,
    "朱": 9,
    "高": 14,
    "林": 6,
    "何": 7,
    "郭": 22,
    "马": 12,
    "罗": 5,
    "梁": 12,
    "宋": 9,
    "郑": 7,
    "谢": 5,
    "韩": 9,
    "唐": 4,
    "冯": 8,
    "于": 5,
    "董": 8,
    "程": 6,
    "曹": 6,
    "袁": 4,
    "许": 6,
    "吕": 7,
    "贾": 12,
    "丁": 4,
    "魏": 6,
    "薛": 10,
    "卫": 6,
    "阎": 6,
    "闫": 7,
    "段": 7,
    "史": 7,
    "乔": 6,
    "常": 6,
    "武": 9,
    "侯": 6,
    "贺": 5,
    "田": 5,
    "任": 6,
    "范": 4,
    "石": 4,
    "姚": 4,
    "崔": 4,
    "康": 4,
    "郝": 5,
    "白": 4,
    "秦": 4,
    "柴": 3,
    "靳": 3,
    "畅": 2,
    "景": 2,
    "欧阳": 1,
    "司马": 1,
}
# Given-name characters by sex and generation (names given before 1975 read differently).
GIVEN = {
    ("M", "old"): "建国军民华明强林平德福生忠喜兵旺春海志文成永东红卫胜利宝全",
    ("M", "new"): "伟强磊勇杰涛斌超辉鹏飞鑫波宁峰龙亮俊晨浩宇轩睿博昊凯健晓泽瑞锋航子",
    ("F", "old"): "秀英桂兰芳玉凤珍琴霞梅红丽萍春花翠云荣娥香美爱淑",
    ("F", "new"): "娜敏静丽艳娟燕玲婷雪慧倩丹颖洁莉佳欣怡悦晶蓉露妍萱涵雯琪梦诗",
}


class NameMaker:
    """Draws names from ``rng``; the cumulative weights are summed once, not on every call."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = list(SURNAMES)
        self.surname_weights = list(accumulate(SURNAMES.values()))

    def surname(self) -> str:
        return self.rng.choices(self.surnames, cum_weights=self.surname_weights)[0]

    def given_name(self, sex: str, *, old: bool) -> str:
        chars = GIVEN[(sex, "old" if old else "new")]
        if self.rng.random() < 0.25:
            return self.rng.choice(chars)
        return self.rng.choice(chars) + self.rng.choice(chars)

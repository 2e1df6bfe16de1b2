"""A4 place-code posters as PDF (C1): the place's name, division, instructions, the QR.

fpdf2 embeds a subset of a CJK font, so the Chinese prints the same on a machine with no
Chinese fonts. The font is WenQuanYi Zen Hei (Debian's fonts-wqy-zenhei, installed by .ci/run
and `make run`): its TrueType outlines are embedded as a standard Identity-H CID font whose
text every extractor reads back. Noto Sans CJK (CFF outlines) is only a fallback: fpdf2 embeds
it with a custom CMap that renders but that pypdf and pdfminer cannot extract. The QR is drawn
as vector squares (crisp at any printer resolution). SHUANGYING_POSTER_FONT names another font
file if needed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import qrcode
from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

# (file, index in a collection): Simplified Chinese first.
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # fonts-arphic-uming
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # fonts-noto-cjk, SC
)

# fontTools logs every subsetting step (and tables it drops): one poster would fill the log.
logging.getLogger("fontTools").setLevel(logging.ERROR)

INSTRUCTIONS = (
    "请扫码登记",
    "进入本场所前，请用手机扫描上方二维码，",
    "填写姓名、证件和健康申报；再次扫码只需一步。",
    "请配合测温，佩戴口罩，保持一米距离。",
)


class PosterFontMissing(RuntimeError):
    """No CJK font: the message says which package to install."""


@dataclass(frozen=True)
class PosterPage:
    name: str
    division: str
    type_label: str
    address: str
    url: str
    issued_at: object


def find_font() -> tuple[str, int]:
    configured = getattr(settings, "SHUANGYING_POSTER_FONT", "")
    if configured:
        if not Path(configured).is_file():
            raise PosterFontMissing(f"SHUANGYING_POSTER_FONT 指定的字体文件不存在：{configured}")
        return configured, 0
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    raise PosterFontMissing(
        "未找到中文字体，无法生成场所码海报。请安装 Debian 软件包 fonts-wqy-zenhei"
        "（apt-get install fonts-wqy-zenhei;make run 和 .ci/run 会自动安装），"
        "或用 SHUANGYING_POSTER_FONT 指定一个中文 TTF/OTF/TTC 字体文件。"
    )


def page_for(code, url: str) -> PosterPage:
    place = code.place
    return PosterPage(
        name=place.name,
        division=place.division.full_name(),
        type_label=str(place.get_type_display()),
        address=place.address,
        url=url,
        issued_at=code.issued_at,
    )


def _draw_qr(pdf: FPDF, data: str, *, x: float, y: float, size: float) -> None:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    cell = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, line in enumerate(matrix):
        col = 0
        while col < len(line):
            if line[col]:
                start = col
                while col < len(line) and line[col]:
                    col += 1
                # One rectangle per run of dark modules: fewer drawing operations.
                pdf.rect(x + start * cell, y + row * cell, (col - start) * cell, cell, style="F")
            else:
                col += 1


def render_posters(pages: Iterable[PosterPage]) -> bytes:
    """One A4 page per place, in order; an empty iterable gives a one-page notice."""
    font_path, index = find_font()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creator("双赢指挥系统")
    pdf.set_title("场所码")
    pdf.add_font("cjk", "", font_path, collection_font_number=index)
    width = pdf.w
    count = 0
    for page in pages:
        count += 1
        pdf.add_page()
        pdf.set_fill_color(200, 16, 46)
        pdf.rect(0, 0, width, 28, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("cjk", size=26)
        pdf.set_xy(0, 8)
        pdf.cell(width, 12, "场所码", align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("cjk", size=30)
        pdf.set_xy(15, 38)
        pdf.multi_cell(width - 30, 14, page.name, align="C")
        pdf.set_font("cjk", size=14)
        pdf.set_x(15)
        pdf.multi_cell(width - 30, 8, f"{page.division} · {page.type_label}", align="C")
        if page.address:
            pdf.set_x(15)
            pdf.multi_cell(width - 30, 8, page.address, align="C")
        size = 120.0
        _draw_qr(pdf, page.url, x=(width - size) / 2, y=88, size=size)
        pdf.set_y(214)
        pdf.set_font("cjk", size=28)
        pdf.cell(width - 20, 14, INSTRUCTIONS[0], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=13)
        for line in INSTRUCTIONS[1:]:
            pdf.cell(width - 20, 8, line, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=10)
        pdf.set_text_color(90, 90, 90)
        issued = timezone.localtime(page.issued_at)
        pdf.set_xy(10, 280)
        pdf.cell(width - 20, 6, f"码签发日期：{issued:%Y-%m-%d}", align="C")
    if count == 0:
        pdf.add_page()
        pdf.set_font("cjk", size=16)
        pdf.set_xy(15, 40)
        pdf.cell(width - 30, 10, "没有可打印的场所码", align="C")
    return bytes(pdf.output())

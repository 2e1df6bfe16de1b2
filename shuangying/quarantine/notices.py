"""Printable A4 notices as PDF: the quarantine order notice (隔离告知书, F1) and the release
certificate (解除隔离证明, F4) with its verification link and QR. The CJK font and its
embedding are the place-code posters' (``places.posters.find_font``): the Chinese prints on a
machine without Chinese fonts and reads back as text."""

from __future__ import annotations

import qrcode
from django.core import signing
from django.utils import timezone
from fpdf import FPDF

from shuangying.core.masking import mask_name
from shuangying.places.posters import find_font

from .rules import day_date, test_days

VERIFY_SALT = "shuangying.quarantine.release"


def release_token(order) -> str:
    return signing.Signer(salt=VERIFY_SALT).sign(str(order.pk))


def order_id_from_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=VERIFY_SALT).unsign(token or ""))
    except (signing.BadSignature, ValueError):
        return None


def _pdf(title: str) -> FPDF:
    font_path, index = find_font()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creator("双赢指挥系统")
    pdf.set_title(title)
    pdf.add_font("cjk", "", font_path, collection_font_number=index)
    pdf.add_page()
    pdf.set_font("cjk", size=24)
    pdf.set_y(25)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    return pdf


def _line(pdf: FPDF, text: str, size: int = 13) -> None:
    pdf.set_font("cjk", size=size)
    pdf.set_x(20)
    pdf.multi_cell(pdf.w - 40, 9, text, new_x="LMARGIN", new_y="NEXT")


def _draw_qr(pdf: FPDF, data: str, *, x: float, y: float, size: float) -> None:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    cell = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                pdf.rect(x + col * cell, y + row * cell, cell, cell, style="F")


def _grid_worker(order) -> str:
    worker = order.grid_worker
    if worker is None:
        return "（未指定）"
    return worker.get_full_name() or worker.get_username()


def render_order_notice(order, report_url: str = "") -> bytes:
    """One A4 page: who (name masked), why, where, the period and its days of testing, the
    rules of the quarantine and whom to call."""
    pdf = _pdf("隔离告知书")
    person = order.person
    _line(pdf, f"{mask_name(person.name)}（证件号码 {person.id_number_masked}）：")
    _line(
        pdf,
        f"    根据疫情防控工作需要，您属于“{order.reason_label}”，自"
        f"{order.start_date:%Y年%m月%d日}起至{order.end_date:%Y年%m月%d日}止，"
        f"须实行{order.get_kind_display()}，共{order.days}天。",
    )
    days = test_days(order)
    if days:
        tests = "、".join(f"第{n}天（{day_date(order, n):%m月%d日}）" for n in days)
        _line(pdf, f"    隔离期间将于{tests}为您进行核酸检测。")
    for rule in (
        "    隔离期间请不要外出，不要接待访客；每天早晚各测一次体温并如实报告。",
        "    如出现发热（体温≥37.3℃）、干咳、乏力等症状，请立即报告网格员。",
        "    期满且检测结果符合要求后，凭解除隔离证明解除隔离。",
    ):
        _line(pdf, rule)
    pdf.ln(4)
    _line(pdf, f"所属区划：{order.division.full_name()}")
    _line(pdf, f"责任网格员：{_grid_worker(order)}")
    _line(pdf, f"隔离令编号：{order.pk}")
    pdf.ln(10)
    _line(pdf, f"下达日期：{timezone.localtime(order.ordered_at):%Y年%m月%d日}")
    _line(pdf, "（盖章）")
    if report_url:
        pdf.ln(2)
        _line(pdf, "每天早晚请扫描下方二维码或打开以下链接报告体温和症状：", size=11)
        _line(pdf, report_url, size=8)
        _draw_qr(pdf, report_url, x=(pdf.w - 40) / 2, y=pdf.get_y() + 2, size=40)
    return bytes(pdf.output())


def render_release_certificate(order, verify_url: str) -> bytes:
    """One A4 page certifying the release, with the link (and its QR) that verifies it."""
    pdf = _pdf("解除隔离证明")
    person = order.person
    released = timezone.localtime(order.released_at)
    _line(pdf, f"{mask_name(person.name)}（证件号码 {person.id_number_masked}）：")
    _line(
        pdf,
        f"    自{order.start_date:%Y年%m月%d日}起实行{order.get_kind_display()}"
        f"（{order.reason_label}），已于{released:%Y年%m月%d日}期满，"
        "经检测符合解除隔离条件，准予解除隔离。",
    )
    _line(pdf, f"所属区划：{order.division.full_name()}")
    _line(pdf, f"隔离令编号：{order.pk}")
    _line(pdf, f"解除日期：{released:%Y年%m月%d日}")
    pdf.ln(4)
    _line(pdf, "扫描下方二维码或打开以下链接核验本证明：", size=11)
    _line(pdf, verify_url, size=9)
    _draw_qr(pdf, verify_url, x=(pdf.w - 50) / 2, y=pdf.get_y() + 4, size=50)
    return bytes(pdf.output())

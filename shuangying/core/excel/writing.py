"""Writing Excel ledgers (M2): ``write_xlsx`` streams a workbook straight into a zip file.

It writes the OOXML parts itself instead of going through XlsxWriter, whose constant-memory mode
costs about nine times as much per cell (docs/scaling.md), which the 100,000-person export target
cannot afford. It covers only what a ledger uses: inline strings and numbers, a watermark row, a
bold header row, frozen panes, column widths and text formats, an autofilter, print titles, page
header and footer."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a written sheet. ``text`` formats the whole column as text (``@``) so
    that Excel keeps what a user types there (ID numbers, phones) as typed."""

    header: str
    width: float = 14
    text: bool = True


_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ESCAPE_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Cell formats (index into cellXfs below).
STYLE_NONE, STYLE_NOTE, STYLE_HEADER, STYLE_TEXT, STYLE_SAMPLE = 0, 1, 2, 3, 4

_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="@"/></numFmts>'
    '<fonts count="4">'
    '<font><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font>'
    '<font><i/><sz val="10"/><color rgb="FFC0392B"/><name val="宋体"/><family val="2"/>'
    '<charset val="134"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font>'
    '<font><i/><sz val="11"/><color rgb="FF808080"/><name val="宋体"/><family val="2"/>'
    '<charset val="134"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2F2F2"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/>'
    '</right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/>'
    "</bottom><diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="2" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" '
    'applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="3" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyFont="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)
_NS = (
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value: str) -> str:
    if _INVALID_XML.search(value):
        value = _INVALID_XML.sub("", value)
    return value.translate(_ESCAPE)


def _t(value: str) -> str:
    """A ``<t>`` element for a cell's text: escaped, control characters dropped, leading or
    trailing spaces kept."""
    if not (value.isprintable() and "&" not in value and "<" not in value and ">" not in value):
        value = _text(value)
    if value[:1] == " " or value[-1:] == " ":
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def _header_footer_text(value: str) -> str:
    # In page headers "&" starts a code; a literal ampersand is "&&".
    return _text(value.replace("&", "&&"))


class _Sheet:
    def __init__(self, book: XlsxStreamWriter, name: str, columns: Sequence[Column], *, index):
        self.book = book
        self.name = name
        self.columns = list(columns)
        self.index = index
        self.letters = [column_letter(i) for i in range(max(len(self.columns), 1))]
        self.row = 0
        self.header_row = 0
        self.merges: list[str] = []
        self.buffer: list[str] = []
        self.part = None

    def open(self, *, watermark: str | None, header_footer: str | None, freeze: bool):
        self.header_footer = header_footer
        self.part = self.book.zip.open(f"xl/worksheets/sheet{self.index}.xml", "w")
        head = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>']
        header_row = 2 if watermark else 1
        head.append(
            '<sheetViews><sheetView workbookViewId="0"'
            + (' tabSelected="1"' if self.index == 1 else "")
            + ">"
        )
        if freeze and self.columns:
            head.append(
                f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" '
                'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
            )
        head.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
        if self.columns:
            head.append("<cols>")
            for i, column in enumerate(self.columns, start=1):
                style = f' style="{STYLE_TEXT}"' if column.text else ""
                head.append(
                    f'<col min="{i}" max="{i}" width="{column.width:.2f}"{style} customWidth="1"/>'
                )
            head.append("</cols>")
        head.append("<sheetData>")
        self.part.write("".join(head).encode())
        if watermark:
            self._row([watermark], style=STYLE_NOTE)
            if len(self.columns) > 1:
                self.merges.append(f"A1:{self.letters[len(self.columns) - 1]}1")
        if self.columns:
            self._row([c.header for c in self.columns], style=STYLE_HEADER)
            self.header_row = self.row
        return self

    def _row(self, values: Sequence[Any], *, style: int = STYLE_NONE) -> None:
        # The hot loop of every export (a million cells for 100,000 persons): dispatch on the
        # exact class first, escape only strings that need it.
        self.row += 1
        r = str(self.row)
        letters = self.letters
        cells = []
        s = f' s="{style}"' if style else ""
        for i, value in enumerate(values):
            if value is None or value == "":
                continue
            ref = (letters[i] if i < len(letters) else column_letter(i)) + r
            cls = value.__class__
            if cls is str:
                if (
                    value.isprintable()
                    and "&" not in value
                    and "<" not in value
                    and ">" not in value
                    and value[0] != " "
                    and value[-1] != " "
                ):
                    cells.append(f'<c r="{ref}"{s} t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    cells.append(f'<c r="{ref}"{s} t="inlineStr"><is>{_t(value)}</is></c>')
            elif cls is bool:
                cells.append(
                    f'<c r="{ref}"{s} t="inlineStr"><is><t>{"是" if value else "否"}</t></is></c>'
                )
            elif cls is int or cls is Decimal or (cls is float and math.isfinite(value)):
                cells.append(f'<c r="{ref}"{s}><v>{value}</v></c>')
            elif cls is dt.datetime:
                cells.append(
                    f'<c r="{ref}"{s} t="inlineStr"><is><t>{value:%Y-%m-%d %H:%M}</t></is></c>'
                )
            elif cls is dt.date:
                cells.append(f'<c r="{ref}"{s} t="inlineStr"><is><t>{value:%Y-%m-%d}</t></is></c>')
            else:
                cells.append(f'<c r="{ref}"{s} t="inlineStr"><is>{_t(str(value))}</is></c>')
        self.buffer.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(self.buffer) >= 500:
            self.flush()

    def write_row(self, values: Sequence[Any], *, style: int = STYLE_NONE) -> None:
        """Append one row; ``None`` and "" leave the cell empty."""
        self._row(values, style=style)

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        for values in rows:
            self._row(values)
            count += 1
        return count

    def flush(self) -> None:
        if self.buffer:
            self.part.write("".join(self.buffer).encode())
            self.buffer.clear()

    def close(self) -> None:
        self.flush()
        tail = ["</sheetData>"]
        last_col = self.letters[len(self.columns) - 1] if self.columns else "A"
        if self.header_row:
            tail.append(f'<autoFilter ref="A{self.header_row}:{last_col}{self.row}"/>')
        if self.merges:
            tail.append(f'<mergeCells count="{len(self.merges)}">')
            tail.extend(f'<mergeCell ref="{ref}"/>' for ref in self.merges)
            tail.append("</mergeCells>")
        tail.append(
            '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/><pageSetup paperSize="9" orientation="landscape"/>'
        )
        if self.header_footer:
            text = _header_footer_text(self.header_footer)
            tail.append(
                f"<headerFooter><oddHeader>&amp;L{text}</oddHeader>"
                f"<oddFooter>&amp;L{text}&amp;R第 &amp;P 页，共 &amp;N 页</oddFooter>"
                "</headerFooter>"
            )
        tail.append("</worksheet>")
        self.part.write("".join(tail).encode())
        self.part.close()
        self.part = None
        self.book.sheets.append(self)

    def defined_names(self) -> list[str]:
        if not self.header_row:
            return []
        quoted = "'" + self.name.replace("'", "''") + "'"
        last_col = self.letters[len(self.columns) - 1]
        i = self.index - 1
        return [
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{_text(quoted)}!$A${self.header_row}:${last_col}${self.row}</definedName>",
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
            f"{_text(quoted)}!${self.header_row}:${self.header_row}</definedName>",
        ]


class XlsxStreamWriter:
    """A workbook written as it goes into ``stream`` (a file opened for binary writing, seekable
    or not). Sheets are written one after another::

        with XlsxStreamWriter(stream, creator="grid1a") as book:
            sheet = book.add_sheet("人员台账", columns, watermark="导出人:…")
            sheet.write_rows(rows)
            book.close_sheet()
    """

    def __init__(self, stream: IO[bytes], *, creator: str = "", compresslevel: int = 1):
        self.zip = zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self.creator = creator
        self.sheets: list[_Sheet] = []
        self.current: _Sheet | None = None

    def add_sheet(
        self,
        name: str,
        columns: Sequence[Column],
        *,
        watermark: str | None = None,
        header_footer: str | None = None,
        freeze: bool = True,
    ) -> _Sheet:
        if self.current is not None:
            self.close_sheet()
        name = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or f"Sheet{len(self.sheets) + 1}"
        self.current = _Sheet(self, name, columns, index=len(self.sheets) + 1).open(
            watermark=watermark, header_footer=header_footer, freeze=freeze
        )
        return self.current

    def close_sheet(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None

    def close(self) -> None:
        self.close_sheet()
        if not self.sheets:
            self.add_sheet("Sheet1", [])
            self.close_sheet()
        n = len(self.sheets)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        self.zip.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
            'package.core-properties+xml"/><Override PartName="/xl/styles.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>',
        )
        self.zip.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>",
        )
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        creator = _text(self.creator)
        self.zip.writestr(
            "docProps/core.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{creator}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            "</cp:coreProperties>",
        )
        sheets = "".join(
            f'<sheet name="{s.name.translate(_ESCAPE_ATTR)}" sheetId="{s.index}" r:id="rId{s.index}"/>'
            for s in self.sheets
        )
        names = [d for s in self.sheets for d in s.defined_names()]
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        self.zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<workbook {_NS}><bookViews><workbookView/></bookViews>"
            f'<sheets>{sheets}</sheets>{defined}<calcPr calcId="124519"/></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{s.index}" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet{s.index}.xml"/>'
            for s in self.sheets
        )
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{rels}<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.close()

    def __enter__(self) -> XlsxStreamWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.zip.close()


def write_xlsx(
    stream: IO[bytes],
    *,
    sheet_name: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    watermark: str | None = None,
    creator: str = "",
    notes: Sequence[Sequence[Any]] | None = None,
    notes_columns: Sequence[Column] | None = None,
    notes_sheet_name: str = "填写说明",
) -> int:
    """Write one ledger sheet (and optionally a notes sheet) to ``stream``; return the number
    of data rows written.

    ``rows`` is any iterable of sequences in column order; it is consumed once, so pass a
    generator over ``queryset.iterator()`` to keep memory flat. With ``watermark`` the first
    row holds that text across all columns and every printed page carries it in its header and
    footer (M2). Strings are written as text cells, ints/floats/Decimals as numbers, dates as
    ``YYYY-MM-DD`` text."""
    with XlsxStreamWriter(stream, creator=creator) as book:
        sheet = book.add_sheet(sheet_name, columns, watermark=watermark, header_footer=watermark)
        count = sheet.write_rows(rows)
        if notes:
            notes_sheet = book.add_sheet(
                notes_sheet_name, notes_columns or [Column("说明", 80)], freeze=False
            )
            notes_sheet.write_rows(notes)
    return count

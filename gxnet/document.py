"""The report a leader prints: one self-contained HTML document, and its PDF.

Sections: the summary (what was planned, when, the targets, the figures and the solver's status
in words), a still map of the plan (:func:`gxnet.static_map.render_png`, embedded as PNG), the
planning standards with their values and sources, the figures per county and per township, the
caveats (how travel was measured, census demand, mobile collection, a time-limited solve), the
inputs with their SHA-256, and the credits of the data used.

:func:`render_report` and :func:`write_report` give any of the report's formats: markdown (the
short summary of :func:`gxnet.report.render_markdown`), HTML or PDF.

The HTML opens offline (styles and picture inline) and prints on A4 from a browser; the PDF is
the same document laid out by WeasyPrint (fonts from the system: Debian's Noto CJK draws the
Chinese), with page numbers in the footer and table headers repeated on every page a table
spans. Every text from the plan is escaped.
"""

from __future__ import annotations

import base64
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from gxnet._errors import GxnetError, UserInputError
from gxnet._io import write_bytes_atomic, write_text_atomic
from gxnet._messages import messages, text, unknown_choice
from gxnet._safe import html_text, printable
from gxnet.attributions import attribution_lines
from gxnet.plan import Plan
from gxnet.plan_tables import (
    KINDS,
    county_rows,
    localized,
    standards_rows,
    summary_rows,
    township_rows,
)
from gxnet.report import plan_sources, plan_title, render_markdown, straight_line_warning
from gxnet.static_map import render_png

FORMATS = ("markdown", "html", "pdf")
#: Report formats chosen from a file's suffix by :func:`write_report`.
SUFFIX_FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}

_STYLE = """
@page { size: A4; margin: 18mm 15mm 20mm;
        @bottom-center { content: "%(page)s"; font-size: 9pt; color: #555; } }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       system-ui, sans-serif; color: #222; font-size: 10pt; line-height: 1.45;
       max-width: 180mm; margin: 0 auto; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #999;
     page-break-after: avoid; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; page-break-after: avoid; break-after: avoid; }
.meta { color: #555; margin: 0 0 4mm; }
.warning { background: #fff3cd; border: 1px solid #e0a800; padding: 2mm 3mm; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 9pt; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th { background: #e8eef6; text-align: left; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
table.summary th { width: 35%; }
figure { margin: 2mm 0; text-align: center; page-break-inside: avoid; break-inside: avoid; }
figure img { width: 100%; }
.credits, .inputs { color: #555; font-size: 8.5pt; }
.inputs td { word-break: break-all; }
"""


def render_html(plan: Plan, *, lang: str = "zh") -> str:
    """The printable report of ``plan`` as one self-contained HTML document in ``lang``."""
    words = messages(lang)
    esc = _esc
    title = plan_title(plan, lang)
    created = (plan.provenance or {}).get("created_utc", "")
    warning = straight_line_warning(plan, words)
    picture = base64.b64encode(render_png(plan, lang=lang)).decode("ascii")
    summary = [row for row in summary_rows(plan, lang) if not _is_input(row[0], words)]
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(words["summary_created"])}: {esc(str(created))}</p>',
        f'<p class="warning">{esc(warning)}</p>' if warning else "",
        f"<h2>{esc(words['report_summary'])}</h2>",
        _pairs(summary, "summary"),
        f"<h2>{esc(words['report_map'])}</h2>",
        f'<figure><img alt="{esc(title)}" src="data:image/png;base64,{picture}"></figure>',
        f"<h2>{esc(words['report_standards'])}</h2>",
        _grid(
            pd.DataFrame(
                standards_rows(plan, lang),
                columns=[words["item"], words["standard_value"], words["standard_source"]],
            )
        ),
        f"<h2>{esc(words['report_counties'])}</h2>",
        _table(county_rows(plan, lang, total=True), lang),
    ]
    towns = township_rows(plan, lang)
    if not towns.empty:
        parts.append(f"<h2>{esc(words['report_townships'])}</h2>")
        for county, rows in towns.groupby("col_county", sort=False):
            parts.append(f"<h3>{esc(str(county))}</h3>")
            parts.append(_table(rows.drop(columns=["col_adcode", "col_county"]), lang))
    parts.append(f"<h2>{esc(words['report_caveats'])}</h2>")
    parts.append("<ul>" + "".join(f"<li>{esc(c)}</li>" for c in caveats(plan, lang)) + "</ul>")
    inputs = [row for row in summary_rows(plan, lang) if _is_input(row[0], words)]
    if inputs:
        parts.append(f"<h2>{esc(words['report_inputs'])}</h2>")
        parts.append(_pairs(inputs, "inputs"))
    parts.append(f"<h2>{esc(words['report_sources'])}</h2>")
    parts.append(
        '<ul class="credits">'
        + "".join(f"<li>{esc(line)}</li>" for line in attribution_lines(plan_sources(plan)))
        + "</ul>"
    )
    style = page_style(lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        + "\n".join(p for p in parts if p)
        + "\n</body>\n</html>\n"
    )


def page_style(lang: str) -> str:
    """The printable reports' stylesheet: A4 pages numbered in ``lang``."""
    page = text("report_page", lang, page='" counter(page) "', pages='" counter(pages) "')
    return _STYLE.replace("%(page)s", page)


def render_pdf(plan: Plan, *, lang: str = "zh") -> bytes:
    """The printable report of ``plan`` as an A4 PDF (see :func:`html_to_pdf`)."""
    return html_to_pdf(render_html(plan, lang=lang))


def html_to_pdf(document: str) -> bytes:
    """A printable HTML report as an A4 PDF, laid out by WeasyPrint.

    Raises
    ------
    GxnetError
        When WeasyPrint or the Pango library it lays text out with is not installed; the
        message names the packages (or the HTML report to print from a browser instead).
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise GxnetError(key="err_pdf_unavailable", detail=str(exc).partition("\n")[0]) from exc
    return HTML(string=document).write_pdf()


def caveats(plan: Plan, lang: str) -> list[str]:
    """What a reader must know to read the plan right, in ``lang``."""
    words = messages(lang)
    provenance, metrics = plan.provenance or {}, plan.metrics or {}
    notes = [straight_line_warning(plan, words) or words["caveat_straight_line_road"]]
    if "demand" not in (provenance.get("inputs") or {}):
        notes.append(words["caveat_census"])
    uncovered = float(metrics.get("households") or 0) - float(
        metrics.get("households_covered") or 0
    )
    if uncovered > 0.5:
        notes.append(words["caveat_uncovered"].format(households=uncovered))
    notes.append(words["caveat_mobile"])
    if metrics.get("townships_mobile"):
        count = words["mobile_count"].format(
            n=metrics["townships_mobile"], hh=metrics.get("mobile_households", 0)
        )
        notes.append(f"{words['mobile_townships']}: {count}")
    if metrics.get("status") not in (None, "optimal"):
        from gxnet.plan_tables import status_words

        # The caveat itself says that a longer limit may find a better plan.
        said = status_words(metrics | {"time_limited": False}, lang)
        notes.append(words["caveat_solver"].format(status=said))
    return notes


def _esc(value: object) -> str:
    """Text from the plan for the page: escaped, without control characters."""
    return html_text(printable(value))


def _is_input(label: str, words: dict[str, str]) -> bool:
    prefixes = (words["input_file"].split("{")[0], words["input_sha256"].split("{")[0])
    return label.startswith(prefixes)


def _pairs(rows: list[tuple[str, Any]], css: str) -> str:
    esc = _esc
    body = "".join(
        f"<tr><th>{esc(str(label))}</th><td>{esc(_cell(value, 'int'))}</td></tr>"
        for label, value in rows
    )
    return f'<table class="{css}"><tbody>{body}</tbody></table>'


def _table(table: pd.DataFrame, lang: str) -> str:
    kinds = [KINDS.get(key, "text") for key in table.columns]
    shown = localized(table, lang)
    return _grid(shown, kinds)


def _grid(frame: pd.DataFrame, kinds: list[str] | None = None) -> str:
    esc = _esc
    kinds = kinds or ["text"] * frame.shape[1]
    head = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = "".join(
            f'<td class="num">{esc(_cell(v, k))}</td>'
            if k not in ("text", "code")
            else f"<td>{esc(_cell(v, k))}</td>"
            for v, k in zip(values, kinds, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cell(value: Any, kind: str) -> str:
    """A value as the report prints it: thousands separators, a tenth of a minute, percent."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, str):
        return value
    if kind == "share":
        return f"{100 * float(value):.1f}%"
    if kind in ("minutes", "number"):
        return f"{float(value):,.1f}"
    if kind == "coord":
        return f"{float(value):.6f}"
    if kind == "int" and float(value).is_integer():
        return f"{int(value):,}"
    return f"{value}"


def render_report(plan: Plan, *, fmt: str = "markdown", lang: str = "zh") -> str | bytes:
    """Render a plan's report.

    Parameters
    ----------
    plan
        The plan to report.
    fmt
        "markdown" (summary and per-county table: :func:`gxnet.report.render_markdown`),
        "html" (the printable report of :func:`render_html`: one self-contained file) or "pdf"
        (the same, laid out on A4 pages by :func:`render_pdf`; bytes).
    lang
        "zh" (default) or "en".

    Returns
    -------
    str or bytes
        The report text, or the PDF's bytes.

    Raises
    ------
    UserInputError
        For an unknown format or language.
    """
    if fmt not in FORMATS:
        raise unknown_choice("report_format", fmt, FORMATS)
    if fmt == "markdown":
        return render_markdown(plan, lang=lang)
    return render_html(plan, lang=lang) if fmt == "html" else render_pdf(plan, lang=lang)


def write_report(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    lang: str = "zh",
) -> Path:
    """Write a plan's report to ``path`` atomically and return the path.

    Parameters
    ----------
    plan
        The plan to report.
    path
        The file to write.
    fmt
        "markdown", "html" or "pdf"; None chooses by the suffix (.md, .markdown, .html, .htm,
        .pdf).
    lang
        "zh" (default) or "en".

    Raises
    ------
    UserInputError
        When ``fmt`` is None and the suffix names no format.
    OutputError
        When the folder cannot be written.
    """
    target = Path(path)
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(target.suffix.lower())
        if fmt is None:
            raise UserInputError(
                key="err_report_suffix",
                path=str(target),
                suffix=target.suffix,
                suffixes=", ".join(SUFFIX_FORMATS),
            )
    report = render_report(plan, fmt=fmt, lang=lang)
    if isinstance(report, bytes):
        return write_bytes_atomic(target, report)
    return write_text_atomic(target, report)

"""The monthly Laporan Pengaduan Pelayanan Publik for the Kepala Dinas (point k), as CSV and PDF.

A month's report is every complaint received in that month (office time zone),
with its book entry, deadline, reply and the Sekretaris' review; the summary
counts them by weight, channel and status.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from app.complaints.book import CLOSED, is_late
from app.core.extensions import db
from app.core.formatting import format_date, format_datetime, local_midnight
from models import Complaint
from models.complaint import ComplaintChannel, ComplaintStatus, weight_label

# The report is the office's Indonesian document whatever language the reader's screen is in.
REPORT_LOCALE = "id"
CSV_HEADER = [
    "Nomor",
    "Tanggal pengaduan",
    "Nama pengadu",
    "Telepon",
    "Email",
    "Alamat",
    "Media",
    "Bobot",
    "Pokok pengaduan",
    "Batas waktu",
    "Dijawab",
    "Terlambat",
    "Status",
]


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, office time zone, as UTC."""
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return local_midnight(date(year, month, 1)), local_midnight(nxt)


def monthly(year: int, month: int) -> dict[str, Any]:
    """Rows and summary of the month's complaints."""
    start, end = month_bounds(year, month)
    complaints = list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.received_at >= start, Complaint.received_at < end)
            .order_by(Complaint.received_at, Complaint.id)
        )
    )
    now = datetime.now(UTC)
    rows = [
        {
            "complaint": c,
            "number": c.number,
            "received": format_date(c.received_at, "id"),
            "name": c.complainant_name,
            "phone": c.complainant_phone or "",
            "email": c.complainant_email or "",
            "address": c.complainant_address or "",
            "channel": ComplaintChannel.label_of(c.channel, REPORT_LOCALE),
            "weight": weight_label(c.weight, REPORT_LOCALE),
            "subject": c.subject,
            "due": format_datetime(c.due_at, "id") if c.due_at else "",
            "replied": format_datetime(c.replied_at, "id") if c.replied_at else "",
            "late": is_late(c, now),
            "status": ComplaintStatus.label_of(c.status, REPORT_LOCALE),
        }
        for c in complaints
    ]
    return {
        "year": year,
        "month": month,
        "period": format_date(date(year, month, 1), "id").split(" ", 1)[1],
        "rows": rows,
        "total": len(rows),
        # Counted by stored value (None: not sorted yet), not by label.
        "by_weight": Counter(c.weight for c in complaints),
        "by_channel": Counter(c.channel for c in complaints),
        "approved": sum(1 for c in complaints if c.status == CLOSED),
        "late": sum(1 for r in rows if r["late"]),
    }


def to_csv(report: dict[str, Any]) -> str:
    """The report's rows as CSV (UTF-8 with BOM so spreadsheet programs read the names right)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in report["rows"]:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    r["number"],
                    r["received"],
                    r["name"],
                    r["phone"],
                    r["email"],
                    r["address"],
                    r["channel"],
                    r["weight"],
                    r["subject"],
                    r["due"],
                    r["replied"],
                    "Ya" if r["late"] else "Tidak",
                    r["status"],
                )
            ]
        )
    return out.getvalue()


def _cell(value: Any) -> str:
    """Neutralise formula injection: a cell starting with = + - @ is read as text."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_pdf(report: dict[str, Any]) -> bytes:
    """The report on the office letterhead (the documents engine's renderer and base)."""
    from app.documents import office
    from app.documents.pdf import ENV, html_to_pdf

    html = ENV.get_template("complaints/monthly_report_pdf.html").render(
        report=report, office=office(), today=datetime.now(UTC), qr=None
    )
    return html_to_pdf(html)

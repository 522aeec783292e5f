"""The consolidated report printed to PDF (issue 15, item 7): `GET /api/v1/consolidated?format=pdf` on a
running kpi (real PostgreSQL and NATS), read back with pypdf: A4 landscape pages, the national heading
on the first, the KPI tables' header repeated on every page they span, the signature block on the last."""

from __future__ import annotations

import io
import re

import pypdf

from support.kpi_api import kpi_api

A4_LANDSCAPE = (842, 595)  # points


async def test_the_consolidated_pdf_is_a4_landscape_with_the_heading_first_and_the_signature_last(
    database_url: str, clean_nats: str
) -> None:
    async with kpi_api(database_url, clean_nats) as (kpi, _):
        reply = await kpi.get(
            "/api/v1/consolidated", params={"period": "2026-03", "format": "pdf"}, timeout=120
        )
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/pdf"
    assert 'filename="bao-cao-tong-hop-2026-03.pdf"' in reply.headers["content-disposition"]
    pdf = pypdf.PdfReader(io.BytesIO(reply.content))
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in pdf.pages]
    # 100 rows (the province, 99 communes and wards) in two KPI tables, then 99 missing units:
    # more than one page each, far fewer than one page per row.
    assert 6 <= len(pages) <= 20, len(pages)
    for page in pdf.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_LANDSCAPE
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[0] and "Độc lập - Tự do - Hạnh phúc" in pages[0]
    assert "ỦY BAN NHÂN DÂN TỈNH BẮC NINH" in pages[0] and "Bắc Ninh, ngày 20 tháng 3 năm 2026" in pages[0]
    assert all(f"Trang {n}/{len(pages)}" in text for n, text in enumerate(pages, start=1))
    kpi_pages = [t for t in pages if "Tỷ lệ đạt" in t]
    assert len(kpi_pages) >= 2 and all("Mã Đơn vị Chỉ tiêu" in t for t in kpi_pages)  # header on each
    assert all(f"Chỉ tiêu {label}" in " ".join(kpi_pages) for label in ("a", "b", "c", "d", "đ"))  # not dd
    assert "Nơi nhận:" in pages[-1] and "TM. BAN CHỈ ĐẠO" in pages[-1] and "TRƯỞNG BAN" in pages[-1]
    assert "Nơi nhận:" not in " ".join(pages[:-1])

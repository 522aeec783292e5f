"""The heading and the signature block of the consolidated report as an official document (pure).

The layout follows Nghị định 30/2020/NĐ-CP on administrative documents: the issuing body top left
(the governing body above it, the issuer in bold), the national heading (Quốc hiệu and Tiêu ngữ)
top right, the place and date under it, "Nơi nhận" bottom left and the signature block bottom
right. Names come from the catalogue's province (`province.yaml`), so another province's catalogue
gives its own heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class OfficialHeading:
    governing_body: str  # e.g. ỦY BAN NHÂN DÂN TỈNH BẮC NINH
    issuer: str  # e.g. BAN CHỈ ĐẠO PHONG TRÀO "BÌNH DÂN HỌC VỤ SỐ"
    place_and_date: str  # e.g. Bắc Ninh, ngày 24 tháng 3 năm 2026
    signer_on_behalf: str  # TM. BAN CHỈ ĐẠO
    signer_title: str  # TRƯỞNG BAN
    recipients: tuple[str, ...]
    national_title: str = NATIONAL_TITLE
    national_motto: str = NATIONAL_MOTTO


def vietnamese_date(day: date) -> str:
    """ "ngày 05 tháng 02 năm 2026": a day below 10 and the months 1 and 2 get a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def official_heading(province_name: str, issued_on: date) -> OfficialHeading:
    province = province_name.upper()
    return OfficialHeading(
        governing_body=f"ỦY BAN NHÂN DÂN TỈNH {province}",
        issuer="BAN CHỈ ĐẠO PHONG TRÀO “BÌNH DÂN HỌC VỤ SỐ”",
        place_and_date=f"{province_name}, {vietnamese_date(issued_on)}",
        signer_on_behalf="TM. BAN CHỈ ĐẠO",
        signer_title="TRƯỞNG BAN",
        recipients=(
            f"Chủ tịch UBND tỉnh {province_name} (để báo cáo);",
            "Các thành viên Ban Chỉ đạo;",
            "UBND các xã, phường;",
            "Lưu: VT.",
        ),
    )

"""How a province is named in a sentence (pure): its name comes from the catalogue's province.yaml."""

from __future__ import annotations

# The centrally-run cities are "thành phố …"; every other province "tỉnh …".
CITIES = frozenset({"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"})


def province_title(name: str) -> str:
    """ "Bắc Ninh" → "tỉnh Bắc Ninh", "Hà Nội" → "thành phố Hà Nội"; a name given with its kind stays."""
    if name.lower().startswith(("tỉnh ", "thành phố ")):
        return name[0].lower() + name[1:]
    return f"thành phố {name}" if name in CITIES else f"tỉnh {name}"

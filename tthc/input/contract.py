"""The input contract (docs/du-lieu-dau-vao.md, version 1): tables, canonical columns, kinds and Vietnamese aliases.

Headers match ignoring case, surrounding spaces and diacritics (see ``text.fold``). The aliases listed in
the contract are the minimum; a few more seen in real exports are added.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from tthc.text import fold

CONTRACT_VERSION = 1


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # id, text, date, bool, count, decimal, share, score, level, channel, form, satisfaction, scope
    aliases: tuple[str, ...] = ()
    required: bool = False

    def keys(self) -> set[str]:
        return {fold(self.name)} | {fold(a) for a in self.aliases}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    required_file: bool = False
    #: where a blank boolean or count means "no evidence" rather than false/zero
    blank_is_missing: bool = False

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def match(self, header: object) -> Column | None:
        return _index(self).get(fold(header))


@functools.lru_cache(maxsize=64)
def _index(table: Table) -> dict[str, Column]:
    """Folded header → column (the first column claiming a key wins, as in the column order)."""
    index: dict[str, Column] = {}
    for col in table.columns:
        for key in sorted(col.keys()):
            index.setdefault(key, col)
    return index


UNIT_REF = ("Mã đơn vị", "Mã cơ quan")
UNIT_NAME_REF = ("Tên đơn vị", "Đơn vị", "Đơn vị giải quyết", "Cơ quan giải quyết", "Tên cơ quan")

UNITS = Table(
    "units",
    (
        Column("unit_id", "id", UNIT_REF, required=True),
        Column("unit_name", "text", UNIT_NAME_REF, required=True),
        Column("level", "level", ("Cấp", "Cấp hành chính"), required=True),
        # Version 2 (NĐ 118/2025 index, 5.3): communes offering electronic certified copies
        Column("e_certified_copy", "bool", ("Chứng thực điện tử", "Cấp bản sao điện tử", "Chứng thực bản sao điện tử")),
    ),
    required_file=True,
)

DOSSIERS = Table(
    "dossiers",
    (
        Column("dossier_id", "id", ("Mã hồ sơ", "Số hồ sơ", "Mã số hồ sơ"), required=True),
        Column("unit_id", "id", UNIT_REF),
        Column("unit_name", "text", UNIT_NAME_REF),
        Column("procedure", "text", ("Tên thủ tục", "Tên TTHC", "Mã TTHC", "Thủ tục hành chính")),
        Column("received_at", "date", ("Ngày tiếp nhận", "Ngày nhận", "Ngày nhận hồ sơ"), required=True),
        Column("due_at", "date", ("Ngày hẹn trả", "Hẹn trả", "Ngày hẹn trả kết quả"), required=True),
        Column(
            "finished_at",
            "date",
            ("Ngày có kết quả", "Ngày kết thúc xử lý", "Ngày trả kết quả", "Ngày hoàn thành"),
        ),
        Column("channel", "channel", ("Kênh", "Hình thức nộp", "Hình thức tiếp nhận", "Kênh nộp")),
        Column("contacts", "count", ("Số lần bổ sung", "Số lần liên hệ", "Số lần yêu cầu bổ sung")),
        Column("contacts_applicant", "count", ("Số lần do lỗi người nộp", "Số lần do người nộp")),
        Column("agencies_contacted", "count", ("Số cơ quan phải liên hệ", "Số cơ quan liên hệ")),
        Column("field_check", "bool", ("Thẩm định thực địa", "Kiểm tra thực địa", "Hội đồng thẩm định")),
        Column("official", "text", ("Cán bộ xử lý", "Người xử lý", "Cán bộ tiếp nhận", "Công chức xử lý")),
        # Version 2 (quarters under NĐ 118/2025, the service index): booleans, blank = false, absent = no information
        Column("synced_on_time", "bool", ("Đồng bộ đúng hạn", "Đồng bộ DVCQG", "Đồng bộ trạng thái đúng hạn")),
        Column("fee_required", "bool", ("Có nghĩa vụ tài chính", "Có phí", "Có phí, lệ phí", "Nghĩa vụ tài chính")),
        Column("paid_online", "bool", ("Thanh toán trực tuyến", "Đã thanh toán trực tuyến", "TTTT")),
        Column("e_result", "bool", ("Kết quả điện tử", "Có kết quả điện tử", "Trả kết quả điện tử")),
        Column("digitised", "bool", ("Số hóa", "Đã số hóa", "Số hoá", "Đã số hoá", "Số hóa hồ sơ")),
        Column("data_reused", "bool", ("Tái sử dụng dữ liệu", "Tái sử dụng dữ liệu số hóa")),
        Column("data_store_linked", "bool", ("Kho dữ liệu cá nhân", "Đồng bộ kho dữ liệu cá nhân")),
        Column("population_data_used", "bool",
               ("Dữ liệu dân cư", "Khai thác dữ liệu dân cư", "Sử dụng dữ liệu dân cư")),
        Column("rating", "text", ("Đánh giá", "Mức độ hài lòng", "Đánh giá của người dân", "Kết quả đánh giá")),
    ),
    required_file=True,
)

SELF_ASSESSMENT = Table(
    "self_assessment",
    (
        Column("unit_id", "id", UNIT_REF),
        Column("unit_name", "text", UNIT_NAME_REF),
        *(Column(f"i{n}", "score", (f"Chỉ số {n}", f"Chỉ số {n:02d}", f"CS{n}", f"CS {n}")) for n in range(1, 10)),
        Column("submitted_at", "date", ("Ngày nộp", "Ngày gửi", "Ngày tự chấm")),
    ),
)

SURVEYS = Table(
    "surveys",
    (
        Column("form_id", "id", ("Mã phiếu", "Số phiếu")),
        Column("form", "form", ("Mẫu phiếu", "Loại phiếu", "Hình thức")),
        Column("unit_id", "id", UNIT_REF),
        Column("unit_name", "text", UNIT_NAME_REF),
        Column("dossier_id", "id", ("Mã hồ sơ", "Số hồ sơ")),
        Column("submitted_at", "date", ("Ngày đánh giá", "Ngày gửi", "Ngày khảo sát")),
        Column("satisfaction", "satisfaction", ("Mức độ hài lòng", "Hài lòng", "Đánh giá chung")),
        Column("contacts", "count", ("Số lần liên hệ", "Số lần bổ sung")),
        Column("agencies_contacted", "count", ("Số cơ quan phải liên hệ",)),
        Column("conduct_complaint", "bool", ("Phản ánh thái độ", "Có phản ánh thái độ", "Nhũng nhiễu")),
    ),
)

COMPLAINTS = Table(
    "complaints",
    (
        Column("complaint_id", "id", ("Mã phản ánh", "Số phản ánh", "Mã PAKN")),
        Column("unit_id", "id", UNIT_REF),
        Column("unit_name", "text", UNIT_NAME_REF),
        Column("dossier_id", "id", ("Mã hồ sơ", "Số hồ sơ")),
        Column("received_at", "date", ("Ngày tiếp nhận", "Ngày nhận"), required=True),
        Column("due_at", "date", ("Hạn trả lời", "Hạn xử lý", "Ngày hẹn trả")),
        Column("answered_at", "date", ("Ngày trả lời", "Ngày xử lý xong")),
        Column("prolonged", "bool", ("Kéo dài", "Phản ánh kéo dài")),
        Column("about_conduct", "bool", ("Về thái độ", "Nhũng nhiễu, gây phiền hà", "Phản ánh thái độ")),
        Column("verified_untrue", "bool", ("Không đúng sự thật", "Vu khống", "Xác minh không đúng")),
        # Version 2 (NĐ 118/2025 index, 6.2)
        Column("rated_unsatisfied", "bool", ("Không hài lòng", "Đánh giá không hài lòng")),
        Column("re_raised", "bool", ("Tiếp tục phản ánh", "Phản ánh lại", "Phản ánh tiếp")),
    ),
)

UNIT_EVIDENCE = Table(
    "unit_evidence",
    (
        Column("unit_id", "id", UNIT_REF),
        Column("unit_name", "text", UNIT_NAME_REF),
        Column("desk_full_share", "share", ("Tỷ lệ giải quyết tại một cửa", "Tỷ lệ một cửa toàn trình")),
        Column("desk_share", "share", ("Tỷ lệ tiếp nhận tại một cửa", "Tỷ lệ tiếp nhận và trả kết quả")),
        Column("posted", "bool", ("Niêm yết", "Công khai niêm yết")),
        Column("electronic", "bool", ("Công khai điện tử", "Điện tử")),
        Column("dvc34_share", "share", ("Tỷ lệ DVC mức 3, 4", "Tỷ lệ DVC mức độ 3, 4", "Tỷ lệ DVCTT mức 3, 4")),
    ),
    blank_is_missing=True,
)

STEPS = Table(
    "steps",
    (
        Column("dossier_id", "id", ("Mã hồ sơ", "Số hồ sơ"), required=True),
        Column("unit_id", "id", UNIT_REF),
        Column("unit_name", "text", UNIT_NAME_REF),
        Column("due_at", "date", ("Hạn xử lý", "Ngày hẹn trả", "Hạn bước"), required=True),
        Column("finished_at", "date", ("Ngày hoàn thành", "Ngày kết thúc xử lý", "Ngày xử lý xong")),
    ),
)

OVERRIDES = Table(
    "overrides",
    (
        Column("scope", "scope", ("Phạm vi",), required=True),
        Column("id", "id", ("Mã", "Mã hồ sơ hoặc đơn vị"), required=True),
        Column("indicator", "count", ("Chỉ số",), required=True),
        Column("points", "decimal", ("Điểm",), required=True),
        Column("reason", "text", ("Lý do",)),
        Column("by", "text", ("Người thẩm định", "Người quyết định")),
    ),
)

#: The files of a quarter folder, in the order they are loaded.
QUARTER_TABLES = (DOSSIERS, SELF_ASSESSMENT, SURVEYS, COMPLAINTS, UNIT_EVIDENCE, STEPS, OVERRIDES)
TABLES = {t.name: t for t in (UNITS, *QUARTER_TABLES)}

# ------------------------------------------------------------------------------ version 2: the service index
# Read by tthc.schemes.nd118 (not by the TT 01/2018 loader): DATA_CONTRACT.md, "Version 2 additions".

INDEX_EVIDENCE = Table(
    "index_evidence",
    (
        Column("unit_id", "id", UNIT_REF),
        Column("unit_name", "text", UNIT_NAME_REF),
        Column("component", "text", ("Mã chỉ tiêu", "Chỉ tiêu", "Mã chỉ số", "Tiêu chí"), required=True),
        Column("numerator", "count", ("Tử số", "Số đạt")),
        Column("denominator", "count", ("Mẫu số", "Tổng số")),
    ),
    blank_is_missing=True,
)

PORTAL_SCORES = Table(
    "portal_scores",
    (
        Column("unit_id", "id", UNIT_REF),
        Column("unit_name", "text", UNIT_NAME_REF),
        Column("component", "text", ("Mã chỉ tiêu", "Chỉ tiêu", "Mã chỉ số", "Nhóm chỉ tiêu"), required=True),
        Column("score", "decimal", ("Điểm", "Điểm số", "Điểm đạt")),
        Column("numerator", "count", ("Tử số",)),
        Column("denominator", "count", ("Mẫu số",)),
        Column("max_score", "decimal", ("Điểm tối đa", "Điểm chuẩn")),
    ),
    blank_is_missing=True,
)

#: The index's own files in a quarter folder (``portal_scores`` may also be ``portal_scores.json``).
INDEX_TABLES = (INDEX_EVIDENCE, PORTAL_SCORES)

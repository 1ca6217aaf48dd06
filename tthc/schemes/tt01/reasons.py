"""Vietnamese reasons for per-dossier points, built from reason codes and the dossier's own facts."""

from __future__ import annotations

import pandas as pd


def _day(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.strftime("%d/%m/%Y").fillna("(trống)")


def timing_text(code: pd.Series, finished: pd.Series, due: pd.Series) -> pd.Series:
    """'có kết quả 03/05/2021, hẹn trả 05/05/2021: trước hạn' and the like, vectorised."""
    base = "có kết quả " + _day(finished) + ", hẹn trả " + _day(due) + ": "
    out = pd.Series("", index=code.index, dtype=object)
    for key, word in (("late", "sau hạn"), ("before", "trước hạn"), ("on_time", "đúng hạn")):
        hit = code.str.contains(key, regex=False)
        out[hit] = base[hit] + word
    open_late = code.str.contains("open_overdue", regex=False)
    out[open_late] = "chưa có kết quả ở cuối kỳ, hẹn trả " + _day(due)[open_late] + " đã quá hạn: tính trễ hạn"
    return out


def dossier_reasons(pop: pd.DataFrame, scores: pd.DataFrame, indicators) -> pd.DataFrame:
    """``iN_reason`` columns for every per-dossier indicator."""
    out = pd.DataFrame(index=pop.index)
    for ind in indicators:
        code = scores[f"{ind.code}_code"].astype(str)
        text = pd.Series("", index=code.index, dtype=object)
        if ind.measure in ("completion_timing", "conduct", "step_timing"):
            text = timing_text(code.str.replace("whole_", "", regex=False), pop["finished_day"], pop["due_day"])
        if ind.measure == "step_timing":
            whole = code.str.startswith("whole_")
            text[whole] = "Không có dữ liệu từng bước: bước của đơn vị là toàn bộ hồ sơ; " + text[whole]
            step = code.str.startswith("step_")
            if step.any():
                own = timing_text(code[step], scores.loc[step, f"{ind.code}_step_finished"],
                                  scores.loc[step, f"{ind.code}_step_due"])
                text[step] = "Bước của chính đơn vị (tệp steps): " + own.str.replace("có kết quả", "hoàn thành")
                unknown = code == "step_unreadable"
                text[unknown] = ("Bước của chính đơn vị (tệp steps): ngày hoàn thành không đọc được; không chấm "
                                 "chỉ số này trên hồ sơ")
            text[code == "no_steps_excluded"] = "Không có dữ liệu từng bước; chính sách loại chỉ số này."
        elif ind.measure == "conduct":
            text[code.str.startswith("late_no_complaint")] = (
                text[code.str.startswith("late_no_complaint")]
                + "; không có phản ánh nhưng trễ hạn nên không đạt điều kiện 2 hoặc 1 điểm")
            untrue = code.str.contains("_untrue", regex=False)
            text[untrue] = text[untrue] + "; phản ánh " + pop["untrue_complaints"][untrue].astype(str) + \
                " đã xác minh không đúng sự thật, không tính"
            nofile = code.str.endswith("_nofile")
            text[nofile] = text[nofile] + " (không có tệp complaints: chỉ xét thời hạn)"
            comp = code == "complaint"
            text[comp] = "Có phản ánh về thái độ, nhũng nhiễu: " + pop["conduct_complaints"][comp].astype(str)
        elif ind.measure == "effective_contacts":
            raw = pop["contacts"].astype("Int64").astype(str)
            appl = pop["contacts_applicant"].astype("Int64").fillna(0).astype(str)
            text = ("Số lần phải bổ sung " + raw + ", do người nộp " + appl + ": tính "
                    + pop["contacts_eff"].astype("Int64").astype(str) + " lần")
            survey = code == "contacts_survey"
            text[survey] = "Theo phiếu khảo sát: " + pop["contacts_eff"][survey].astype(str) + " lần liên hệ"
        elif ind.measure == "agencies_contacted":
            text = "Phải liên hệ " + pop["agencies_val"].astype("Int64").astype(str) + " cơ quan"
            derived = code.str.startswith("agencies_derived")
            text[derived] = ("Không có cột số cơ quan: " + pop["agencies_val"][derived].astype(str)
                             + " cơ quan (suy từ số lần bổ sung)")
            survey = code.str.startswith("agencies_survey")
            text[survey] = "Theo phiếu khảo sát: " + pop["agencies_val"][survey].astype(str) + " cơ quan"
            field = code.str.endswith("_field")
            text[field] = text[field] + " (có thẩm định thực địa/hội đồng: cộng thêm nơi chủ trì)"
        text[code == "no_info"] = "Không có thông tin"
        override = code == "override"
        text[override] = "Điều chỉnh của người thẩm định: " + scores.get(
            f"{ind.code}_override", pd.Series("", index=code.index))[override].astype(str)
        out[f"{ind.code}_reason"] = text
    return out

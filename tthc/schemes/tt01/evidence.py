"""Facts behind the per-dossier indicators: the system's record first, the citizen's form where the
record has nothing, and a finding wherever the two disagree (never a silent change)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tthc.input.findings import Findings
from tthc.input.loading import FILE, Inputs
from tthc.input.reading import ROW

SOURCES = ["system", "derived", "none", "survey"]


def _labels(index: pd.Index, value: str, names: list[str]) -> pd.Series:
    """A categorical Series holding ``value`` everywhere (cheap at millions of rows)."""
    codes = np.full(len(index), names.index(value), dtype=np.int8)
    return pd.Series(pd.Categorical.from_codes(codes, categories=names), index=index)


def _by_dossier(d: pd.DataFrame, values: pd.Series) -> pd.Series:
    """``values`` (indexed by dossier id) aligned on the population; all missing when there is nothing."""
    if values.empty:
        return pd.Series(pd.NA, index=d.index, dtype=object)
    hit = d["dossier_id"].isin(values.index)
    out = pd.Series(pd.NA, index=d.index, dtype=object)
    out[hit] = d.loc[hit, "dossier_id"].map(values).to_numpy()
    return out


def _unit_mismatches(d: pd.DataFrame, rows: pd.DataFrame | None, findings: Findings) -> None:
    """A form or complaint naming a dossier that another unit resolved: used for that dossier, and said."""
    if rows is None or rows.empty:
        return
    linked = rows[rows["dossier_id"].notna() & rows["dossier_id"].isin(d["dossier_id"])]
    if linked.empty:
        return
    resolver = d.set_index("dossier_id")["unit_id"]
    other = linked[linked["unit_id"] != linked["dossier_id"].map(resolver)]
    for _, row in other.iterrows():
        findings.warning(
            "unit_mismatch",
            f"Ghi đơn vị {row['unit_id']} nhưng hồ sơ {row['dossier_id']} do đơn vị "
            f"{resolver[row['dossier_id']]} giải quyết; được dùng làm minh chứng cho hồ sơ đó, cần kiểm tra lại.",
            file=row[FILE], row=row[ROW], column="unit_id", value=row["unit_id"],
        )


def _first_answer(surveys: pd.DataFrame | None, column: str) -> pd.Series:
    if surveys is None or column not in surveys or surveys.empty:
        return pd.Series(dtype=object)
    rows = surveys[surveys["dossier_id"].notna() & surveys[column].notna()]
    return rows.drop_duplicates("dossier_id").set_index("dossier_id")[column]


def attach_evidence(pop: pd.DataFrame, inputs: Inputs, findings: Findings) -> pd.DataFrame:
    """Adds ``contacts_eff``/``contacts_src``, ``agencies_val``/``agencies_src``, ``conduct_complaints`` and
    ``untrue_complaints`` (comma-separated complaint ids) to the population."""
    d = pop.copy(deep=False)
    surveys = inputs.table("surveys")
    for name in ("surveys", "complaints"):
        _unit_mismatches(d, inputs.table(name), findings)
    has_contacts = inputs.has("dossiers", "contacts")
    # indicator 3: effective contacts
    applicant = d["contacts_applicant"].astype("Int64").to_numpy(dtype=np.int64, na_value=0) if inputs.has(
        "dossiers", "contacts_applicant") else 0
    if has_contacts:  # in integers: contacts less the applicant's, never below 0; <NA> where contacts is
        contacts = d["contacts"].astype("Int64")
        diff = contacts.to_numpy(dtype=np.int64, na_value=0) - applicant
        eff = pd.Series(pd.arrays.IntegerArray(np.maximum(diff, 0, out=diff), contacts.isna().to_numpy()),
                        index=d.index)
    else:
        eff = pd.Series(pd.NA, index=d.index, dtype="Int64")
    src = _labels(d.index, "system", ["system", "survey"])
    survey_contacts = _first_answer(surveys, "contacts") if inputs.has("surveys", "contacts") else pd.Series(
        dtype=object)
    eff, src, from_survey = _fill_from_survey(d, eff, src, survey_contacts)
    d["contacts_eff"] = eff
    d["contacts_src"] = src
    if has_contacts and from_survey is not None:
        _contradictions(d, "contacts", from_survey, surveys, findings, "số lần liên hệ")
    # indicator 4: agencies contacted (absent column: 0 when contacts is 0, else 1, the desk)
    if inputs.has("dossiers", "agencies_contacted"):
        val = d["agencies_contacted"].astype("Int64")
        asrc = _labels(d.index, "system", SOURCES)
    elif has_contacts:
        val = (d["contacts"].astype("Int64") > 0).astype("Int64")
        asrc = _labels(d.index, "derived", SOURCES)
    else:
        val = pd.Series(pd.NA, index=d.index, dtype="Int64")
        asrc = _labels(d.index, "none", SOURCES)
    survey_agencies = _first_answer(surveys, "agencies_contacted") if inputs.has(
        "surveys", "agencies_contacted") else pd.Series(dtype=object)
    val, asrc, from_survey = _fill_from_survey(d, val, asrc, survey_agencies)
    if inputs.has("dossiers", "agencies_contacted") and from_survey is not None:
        _contradictions(d, "agencies_contacted", from_survey, surveys, findings, "số cơ quan phải liên hệ")
    d["agencies_val"] = val
    d["agencies_src"] = asrc
    # indicator 7: conduct complaints linked to the dossier
    complaints = inputs.table("complaints")
    blank = pd.Series(np.full(len(d), pd.NA, dtype=object), index=d.index, dtype=object, copy=False)
    d["conduct_complaints"] = blank  # both view one array until one is written (copy-on-write)
    d["untrue_complaints"] = blank
    if complaints is not None and not complaints.empty:
        conduct = complaints[complaints["dossier_id"].notna() & complaints["about_conduct"].fillna(False)]
        untrue = conduct["verified_untrue"].fillna(False).astype(bool)
        for column, rows in (("conduct_complaints", conduct[~untrue]), ("untrue_complaints", conduct[untrue])):
            ids = rows.groupby("dossier_id")["complaint_id"].agg(
                lambda s: ", ".join(str(x) for x in s if x is not None and not pd.isna(x)) or "(không mã)")
            d[column] = _by_dossier(d, ids)
    if surveys is not None and inputs.has("surveys", "conduct_complaint"):
        claims = surveys[surveys["dossier_id"].notna() & surveys["conduct_complaint"].fillna(False).astype(bool)]
        recorded = set(d.loc[d["conduct_complaints"].notna() | d["untrue_complaints"].notna(), "dossier_id"])
        in_pop = set(d["dossier_id"])
        for _, row in claims.iterrows():
            if row["dossier_id"] in in_pop and row["dossier_id"] not in recorded:
                findings.warning(
                    "survey_contradiction",
                    f"Phiếu khảo sát phản ánh thái độ cán bộ với hồ sơ {row['dossier_id']}, nhưng hệ thống không "
                    "ghi nhận phản ánh nào; cần thẩm định (điểm chỉ số 7 theo hệ thống).",
                    file=row[FILE], row=row[ROW], column="conduct_complaint", value=row["dossier_id"],
                )
    return d


def _fill_from_survey(d: pd.DataFrame, values: pd.Series, sources: pd.Series, answers: pd.Series):
    """Missing ``values`` filled from the citizens' answers (``sources`` says "survey" there). Returns the
    values, the sources and the answers aligned on the population (None when there is no answer at all)."""
    if answers.empty:
        return values, sources, None
    from_survey = _by_dossier(d, answers)
    fill = values.isna() & from_survey.notna()
    values = values.astype("Int64")
    values[fill] = from_survey[fill].astype("Int64")
    sources[fill] = "survey"
    return values, sources, from_survey


def _contradictions(d, column, from_survey, surveys, findings, what) -> None:
    if not from_survey.notna().any():
        return
    system = d[column].astype("Int64")
    differ = system.notna() & from_survey.notna()
    differ &= system.astype("float") != pd.to_numeric(from_survey, errors="coerce")
    if not differ.any():
        return
    rows = surveys.drop_duplicates("dossier_id").set_index("dossier_id")
    for idx in d.index[differ]:
        did = d.at[idx, "dossier_id"]
        findings.warning(
            "survey_contradiction",
            f"Phiếu khảo sát ghi {what} = {from_survey[idx]} cho hồ sơ {did}, hệ thống ghi {system[idx]}; "
            "cần thẩm định (điểm theo hệ thống).",
            file=rows.at[did, FILE], row=rows.at[did, ROW], column=column, value=from_survey[idx],
        )

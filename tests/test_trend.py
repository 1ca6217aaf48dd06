"""Quarter after quarter, and the year (``tthc trend``, ``tthc year``): changes and ranks computed by hand on
small hand-made ``grades.csv`` files, the break at a scheme change (with a synthetic index-like scheme), band
falls, the annual mean (exact, half-up), the command's exit codes, the workbook, determinism, the sample."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tthc.cli import main
from tthc.errors import RunFailed
from tthc.parameters.ruleset import Band, Level, RuleSetError, scheme
from tthc.run.trend import make_trend, make_year
from tthc.run.trend.numbers import TrendInputError, mean, places_of, round_half_up
from tthc.run.trend.outputs import publish

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "dien-bien-dong"
XS, TOT, KHA, TB, YEU = "Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"
NO_DOSSIER, NOT_SCORED = "Chưa phát sinh hồ sơ", "Chưa thực hiện chấm điểm"


# --- a synthetic index-like scheme (groups g1..g6, 100 points, bands chosen by a policy) ----------------------

@dataclass(frozen=True)
class Group:
    code: str
    name: str
    max: Decimal

    @property
    def column(self) -> str:
        return f"g{self.code}"


@dataclass(frozen=True)
class FakeIndex:
    id: str
    title: str
    path: Path
    sha256: str
    scheme: str = "fakeindex"
    applies_from: None = None
    applies_until: None = None
    policies: dict = field(default_factory=dict)
    levels: dict = field(default_factory=lambda: {"tinh": Level("tinh", "Cấp tỉnh", ()),
                                                  "xa": Level("xa", "Cấp xã", ())})
    statuses: dict = field(default_factory=lambda: {"no_data": "Chưa đủ dữ liệu để tính chỉ số"})
    groups: tuple = tuple(Group(str(i), name, Decimal(m)) for i, (name, m) in enumerate(
        [("Công khai, minh bạch", 18), ("Tiến độ giải quyết", 20), ("Dịch vụ công trực tuyến", 12),
         ("Thanh toán trực tuyến", 10), ("Số hóa hồ sơ", 22), ("Mức độ hài lòng", 18)], start=1))

    def default_policies(self) -> dict:
        return {}

    def bands(self, policies: dict) -> tuple:
        cuts = [(90, XS), (80, TOT), (70, KHA), (50, TB), (0, YEU)]
        return tuple(Band(Decimal(m), label) for m, label in cuts)

    @property
    def indicators(self):
        raise RuleSetError("Bộ chỉ số không có 9 chỉ số của TT 01/2018.")

    @property
    def unit_grading(self):
        raise RuleSetError("Bộ chỉ số không có unit_grading.")


@scheme("fakeindex")
def _build_fake(data: dict, path: Path, sha: str) -> FakeIndex:
    return FakeIndex(data["id"], data["title"], path, sha)


@pytest.fixture
def index_rules(tmp_path) -> Path:
    path = tmp_path / "rules" / "fake-index.yaml"
    path.parent.mkdir()
    path.write_text("scheme: fakeindex\nid: fake-index\ntitle: Bộ chỉ số thử (100 điểm)\n", encoding="utf-8")
    return path


# --- hand-made graded quarters ---------------------------------------------------------------------------------

def tt(uid: str, level: str, total: str, result: str, dossiers: int = 10, name: str | None = None, **scores) -> dict:
    row = {"unit_id": uid, "unit_name": name or f"Đơn vị {uid}", "level": level, "dossiers": dossiers,
           **{f"i{n}": "" for n in range(1, 10)}, "total": total, "self_total": "", "result": result}
    row.update({k: v for k, v in scores.items()})
    return row


def ix(uid: str, level: str, total: str, result: str, rank: str = "", groups: tuple = ("", "", "", "", "", "")) -> dict:
    return {"unit_id": uid, "unit_name": f"Đơn vị {uid}", "level": level, "dossiers": 10,
            **{f"g{i}": g for i, g in enumerate(groups, start=1)}, "total": total, "source": "recomputed",
            "result": result, "rank": rank}


def graded(root: Path, quarter: str, rows: list[dict], rules_file: Path | None = None, **manifest) -> Path:
    folder = root / quarter
    folder.mkdir(parents=True)
    pd.DataFrame(rows).to_csv(folder / "grades.csv", index=False)
    rule_set = {"id": "fake-index", "file": str(rules_file)} if rules_file else {"id": "tt01-2018"}
    body = {"quarter": quarter, "rule_set": rule_set, "policies": {}, **manifest}
    (folder / "manifest.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return folder


def read_csv(path: Path) -> list[dict]:
    return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")


def row_of(rows: list[dict], quarter: str, uid: str) -> dict:
    return next(r for r in rows if r["quarter"] == quarter and r["unit_id"] == uid)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


Q1 = [tt("A", "huyen", "16.0", XS, i1="2.0"), tt("B", "huyen", "13.0", TOT, i1="1.5"),
      tt("C", "huyen", "10.0", KHA, i1="1.0"), tt("D", "xa", "7.5", TB, i1="0.5"),
      tt("E", "xa", "", NO_DOSSIER, dossiers=0)]
Q2 = [tt("A", "huyen", "14.5", TOT, i1="1.9"), tt("B", "huyen", "15.2", XS, i1="2.0"),
      tt("C", "huyen", "10.0", KHA, i1="1.2"), tt("D", "xa", "5.9", YEU, i1="0.4"),
      tt("E", "xa", "12.0", TOT, i1="1.8")]


@pytest.fixture
def two_quarters(tmp_path) -> Path:
    root = tmp_path / "q"
    graded(root, "2020-Q1", Q1)
    graded(root, "2020-Q2", Q2)
    return root


# --- numbers ---------------------------------------------------------------------------------------------------

def test_exact_half_up_means():
    assert round_half_up(Fraction(1205, 100), 1) == Decimal("12.1")  # half-even would give 12.0
    assert round_half_up(Fraction(1249, 100), 1) == Decimal("12.5")
    assert round_half_up(Fraction(89995, 1000), 2) == Decimal("90.00")
    assert mean([Decimal("10.0"), Decimal("10.2"), Decimal("10.2"), Decimal("10.2")], 1) == Decimal("10.2")
    assert (10.0 + 10.2 + 10.2 + 10.2) / 4 < 10.15  # the binary float mean would round to 10.1
    assert mean([], 1) is None
    assert places_of(["16.0", "", "15.5"]) == 1 and places_of(["87.25", "90.00"]) == 2 and places_of([""]) == 1


# --- the trend on hand-made quarters ---------------------------------------------------------------------------

def test_changes_and_rank_changes_computed_by_hand(two_quarters, tmp_path):
    made = make_trend("dien-bien-dong", "2020-Q1", "2020-Q2", quarters_dir=two_quarters, out_dir=tmp_path / "t")
    rows = read_csv(made.out_dir / "trend.csv")
    a, b, c, d, e = (row_of(rows, "2020-Q2", u) for u in "ABCDE")
    # huyen, Q1: A 16.0 (1), B 13.0 (2), C 10.0 (3); Q2: B 15.2 (1), A 14.5 (2), C 10.0 (3)
    assert (a["total_change"], a["rank"], a["rank_change"], a["band_change"]) == ("-1.5", "2", "-1", "-1")
    assert (b["total_change"], b["rank"], b["rank_change"], b["band_change"]) == ("2.2", "1", "1", "1")
    assert (c["total_change"], c["rank_change"], c["band_change"]) == ("0.0", "0", "0")
    # xa, Q1: D 7.5 (1), E no dossier; Q2: E 12.0 (1), D 5.9 (2)
    assert (d["total_change"], d["rank"], d["rank_change"], d["band_change"]) == ("-1.6", "2", "-1", "-1")
    assert (e["total_change"], e["rank"], e["rank_change"], e["band_change"]) == ("", "1", "", "")
    assert e["compared_with"] == "2020-Q1" and a["compared_with"] == "2020-Q1"
    first = row_of(rows, "2020-Q1", "A")
    assert (first["compared_with"], first["total_change"], first["break"]) == ("", "", "0")
    assert row_of(rows, "2020-Q1", "E")["rank"] == ""  # a status is not ranked


def test_units_that_fell_a_band_or_more(two_quarters, tmp_path):
    made = make_trend("dien-bien-dong", "2020-Q1", "2020-Q2", quarters_dir=two_quarters, write=False)
    falls = made.trend.falls.to_dict("records")
    assert [(f["unit_id"], f["result_before"], f["result"], f["bands"]) for f in falls] == [
        ("A", XS, TOT, "1"), ("D", TB, YEU, "1")]
    q3 = [tt("A", "huyen", "9.1", KHA), tt("B", "huyen", "15.2", XS), tt("C", "huyen", "10.0", KHA),
          tt("D", "xa", "5.0", YEU), tt("E", "xa", "12.0", TOT)]
    graded(two_quarters, "2020-Q3", q3)
    made = make_trend("dien-bien-dong", "2020-Q1", "2020-Q3", quarters_dir=two_quarters, write=False)
    later = [f for f in made.trend.falls.to_dict("records") if f["quarter"] == "2020-Q3"]
    assert [(f["unit_id"], f["bands"], f["compared_with"]) for f in later] == [("A", "1", "2020-Q2")]


def test_ties_share_a_rank_competition_style(tmp_path):
    root = tmp_path / "q"
    graded(root, "2020-Q1", [tt("A", "huyen", "15.0", XS), tt("B", "huyen", "15.0", XS), tt("C", "huyen", "12.0", TOT),
                             tt("D", "huyen", "9.0", KHA, dossiers=3)])
    rows = make_trend("dien-bien-dong", "2020-Q1", "2020-Q1", quarters_dir=root, write=False).trend.units
    assert list(rows["rank"]) == ["1", "1", "3", "4"]


def test_level_means_exact_and_their_change(two_quarters):
    trend = make_trend("dien-bien-dong", "2020-Q1", "2020-Q2", quarters_dir=two_quarters, write=False).trend
    means = {(r["quarter"], r["level"], r["column"]): r for r in trend.averages.to_dict("records")}
    # Q1 graded: A, B, C (huyen), D (xa); E has no dossier. i1: (2.0 + 1.5 + 1.0) / 3 = 1.5
    assert means[("2020-Q1", "huyen", "i1")]["mean"] == "1.5"
    assert means[("2020-Q1", "tat_ca", "i1")]["mean"] == "1.3"  # 5.0 / 4 = 1.25, half-up
    assert means[("2020-Q1", "tat_ca", "total")]["units"] == "4"
    # Q2 all five graded: (1.9 + 2.0 + 1.2 + 0.4 + 1.8) / 5 = 1.46 -> 1.5; change 1.5 - 1.3
    assert (means[("2020-Q2", "tat_ca", "i1")]["mean"], means[("2020-Q2", "tat_ca", "i1")]["change"]) == ("1.5", "0.2")
    assert trend.labels["i1"] == "Chỉ số 1"


def test_a_quarter_without_results_in_between_is_skipped_and_said(tmp_path):
    root = tmp_path / "q"
    graded(root, "2020-Q1", Q1)
    graded(root, "2020-Q3", Q2)
    trend = make_trend("dien-bien-dong", "2020-Q1", "2020-Q3", quarters_dir=root, write=False).trend
    a = row_of(trend.units.to_dict("records"), "2020-Q3", "A")
    assert a["compared_with"] == "2020-Q1" and "2020-Q1" in a["note"] and a["total_change"] == "-1.5"
    sources = {r["quarter"]: r for r in trend.sources.to_dict("records")}
    assert sources["2020-Q2"]["status"] == "missing" and "không có dữ liệu" in sources["2020-Q2"]["note"]


# --- the break at a scheme change ------------------------------------------------------------------------------

def test_a_scheme_change_is_a_break_never_a_rise_or_fall(tmp_path, index_rules):
    root = tmp_path / "q"
    graded(root, "2020-Q2", [tt("A", "huyen", "16.0", XS), tt("B", "xa", "7.0", TB)])
    graded(root, "2020-Q3", [ix("A", "tinh", "45.50", YEU, "2", ("8.00", "10.00", "5.00", "5.00", "10.00", "7.50")),
                             ix("B", "xa", "92.25", XS, "1", ("18.00", "20.00", "12.00", "10.00", "20.00", "12.25"))],
           rules_file=index_rules)
    graded(root, "2020-Q4", [ix("A", "tinh", "55.00", TB, "2"), ix("B", "xa", "85.50", TOT, "1")],
           rules_file=index_rules)
    made = make_trend("dien-bien-dong", "2020-Q2", "2020-Q4", quarters_dir=root, out_dir=tmp_path / "t")
    rows = read_csv(made.out_dir / "trend.csv")
    for uid in "AB":
        across = row_of(rows, "2020-Q3", uid)
        assert across["break"] == "1" and "đổi bộ quy tắc" in across["note"]
        assert (across["compared_with"], across["total_change"], across["rank_change"], across["band_change"]) == \
            ("", "", "", "")
    assert made.trend.falls.to_dict("records")[0]["quarter"] == "2020-Q4"  # B: Xuất sắc -> Tốt within the index
    assert "2020-Q3" not in set(made.trend.falls["quarter"])  # A: Xuất sắc (18 points) -> Yếu (100) is no fall
    b4 = row_of(rows, "2020-Q4", "B")
    assert (b4["total_change"], b4["band_change"], b4["break"]) == ("-6.75", "-1", "0")
    assert row_of(rows, "2020-Q3", "A")["rank"] == "2"  # the index's own rank column, as written
    means = made.trend.averages
    q3 = means[(means["quarter"] == "2020-Q3") & (means["level"] == "tat_ca")]
    assert set(q3["change"]) == {""} and set(q3["break"]) == {"1"}
    assert q3.set_index("column").at["g6", "mean"] == "9.88"  # (7.50 + 12.25) / 2 = 9.875, half-up to two places
    assert made.trend.labels["g1"] == "Công khai, minh bạch"
    manifest = json.loads((made.out_dir / "trend.json").read_text(encoding="utf-8"))
    assert list(manifest["breaks"]) == ["2020-Q3"]
    book = openpyxl.load_workbook(made.out_dir / "trend.xlsx")
    headers = [c.value for c in book["Theo đơn vị"][1]]
    assert "Đổi thang điểm" in headers
    assert headers.index("Đổi thang điểm") == headers.index("Tổng điểm Quý III năm 2020") - 1
    assert {"tong_diem_don_vi_1.png", "tong_diem_don_vi_2.png"} <= {p.name for p in (made.out_dir / "charts").iterdir()}


def test_heatmap_marks_the_break(tmp_path, index_rules):
    from tthc.run.trend.outputs import figures

    root = tmp_path / "q"
    graded(root, "2020-Q2", [tt("A", "huyen", "16.0", XS)])
    graded(root, "2020-Q3", [ix("A", "tinh", "91.00", XS, "1")], rules_file=index_rules)
    trend = make_trend("dien-bien-dong", "2020-Q2", "2020-Q3", quarters_dir=root, write=False).trend
    heat = figures(trend)["xep_loai_theo_quy"]
    texts = [t.get_text() for t in heat.findobj(lambda a: hasattr(a, "get_text"))]
    assert "Đổi thang điểm" in texts and "16,0" in texts and "91,00" in texts


# --- the year --------------------------------------------------------------------------------------------------

def test_annual_mean_of_quarters_exact_half_up(tmp_path):
    root = tmp_path / "q"
    quarters = {  # unit: totals (results) per quarter
        "A": ["12.0", "12.1", "12.0", "12.1"],  # 12.05 -> 12.1 (half-up), Tốt
        "B": ["10.0", "10.2", "10.2", "10.2"],  # 10.15 -> 10.2 exactly (the float mean is 10.149999…)
        "C": ["14.9", "15.0", "15.0", "15.1"],  # 15.0 -> Xuất sắc (the bound is inclusive)
    }
    band = {"12.0": TOT, "12.1": TOT, "10.0": KHA, "10.2": KHA, "14.9": TOT, "15.0": XS, "15.1": XS}
    for n in range(1, 5):
        rows = [tt(u, "huyen", t[n - 1], band[t[n - 1]]) for u, t in quarters.items()]
        rows.append(tt("D", "xa", "20.0" if n == 2 else ["9.0", "", "8.9", "9.1"][n - 1],
                       NOT_SCORED if n == 2 else KHA))  # (9.0 + 8.9 + 9.1) / 3 = 9.0: the status quarter left out
        rows.append(tt("E", "xa", "", NO_DOSSIER, dossiers=0))
        rows.append(tt("F", "xa", "13.0" if n == 2 else "", NOT_SCORED if n == 2 else NO_DOSSIER,
                       dossiers=5 if n == 2 else 0))
        graded(root, f"2020-Q{n}", rows)
    year = make_year("dien-bien-dong", 2020, quarters_dir=root, out_dir=tmp_path / "y", pdf=False)
    table = {r["unit_id"]: r for r in read_csv(year.out_dir / "annual.csv")}
    assert (table["A"]["total"], table["A"]["result"]) == ("12.1", TOT)
    assert (table["B"]["total"], table["B"]["result"]) == ("10.2", KHA)
    assert (table["C"]["total"], table["C"]["result"], table["C"]["rank"]) == ("15.0", XS, "1")
    assert (table["D"]["total"], table["D"]["result"], table["D"]["quarters_graded"]) == ("9.0", KHA, "3")
    assert (table["E"]["total"], table["E"]["result"], table["E"]["rank"]) == ("", NO_DOSSIER, "")
    assert table["F"]["result"] == NOT_SCORED  # no graded quarter: the status of its latest quarter with dossiers
    assert (table["A"]["total_2020-Q2"], table["A"]["result_2020-Q2"]) == ("12.1", TOT)
    assert table["A"]["rank"] == "2" and table["B"]["rank"] == "3"
    html = (year.out_dir / "report.html").read_text(encoding="utf-8")
    assert "năm 2020" in html and "Phụ lục II" in html and "12,1" in html and "trung bình cộng" in html
    manifest = json.loads((year.out_dir / "annual.json").read_text(encoding="utf-8"))
    assert manifest["annual_method"]["value"] == "mean_of_quarters"


def test_annual_index_two_places_and_split_at_a_break(tmp_path, index_rules):
    root = tmp_path / "q"
    graded(root, "2020-Q1", [tt("A", "xa", "16.0", XS)])
    graded(root, "2020-Q2", [tt("A", "xa", "14.0", TOT)])
    graded(root, "2020-Q3", [ix("A", "xa", "89.99", TOT), ix("B", "xa", "80.01", TOT)], rules_file=index_rules)
    graded(root, "2020-Q4", [ix("A", "xa", "90.00", XS), ix("B", "xa", "80.02", TOT)], rules_file=index_rules)
    year = make_year("dien-bien-dong", 2020, quarters_dir=root, write=False).year
    assert [s.rules.id for s in year.segments] == ["tt01-2018", "fake-index"]
    first, second = (s.table.set_index("unit_id") for s in year.segments)
    assert (first.at["A", "total"], first.at["A", "result"]) == ("15.0", XS)  # (16.0 + 14.0) / 2, TT 01 alone
    assert (second.at["A", "total"], second.at["A", "result"]) == ("90.00", XS)  # 89.995 -> 90.00 half-up
    assert second.at["B", "total"] == "80.02"  # 80.015 -> 80.02
    assert year.notes and "từng giai đoạn" in year.notes[0]


def test_regrade_year_refuses_the_index(tmp_path, index_rules):
    root = tmp_path / "q"
    for n in range(1, 5):
        graded(root, f"2020-Q{n}", [ix("A", "xa", "90.00", XS)], rules_file=index_rules)
    with pytest.raises(TrendInputError, match="mean_of_quarters"):
        make_year("dien-bien-dong", 2020, "regrade_year", quarters_dir=root, write=False)


def test_regrade_year_pools_the_quarters(tmp_path):
    from tests.builders import dossier, write_quarter

    data = tmp_path / "data" / "pooled"
    # D1 open and past due at the end of Q1, finished late in Q2: once, as the Q2 export shows it
    write_quarter(data, [dossier("D1", received="2021-03-01", due="2021-03-10", finished=None),
                         dossier("D2", finished="2021-03-05", received="2021-03-01", due="2021-03-10"),
                         dossier("X-1", unit="X1", received="2021-03-01", due="2021-03-10", finished="2021-03-09")],
                  quarter="2021-Q1", self_assessment=[{"unit_id": "H1", **{f"i{n}": 2 for n in range(1, 10)}}],
                  overrides=[{"scope": "unit", "id": "H1", "indicator": 6, "points": 0, "reason": "quý I", "by": "x"}])
    write_quarter(data, [dossier("D1", received="2021-03-01", due="2021-03-10", finished="2021-04-20"),
                         dossier("D3", received="2021-04-01", due="2021-04-10", finished="2021-04-09")],
                  quarter="2021-Q2",
                  self_assessment=[{"unit_id": "H1", **{f"i{n}": 2 for n in range(1, 10)}, "i1": 1},
                                   {"unit_id": "X1", **{f"i{n}": 2 for n in range(1, 10)}}])
    year = make_year(None, 2021, "regrade_year", data_dir=data, quarters_dir=tmp_path / "none", allow_missing=True,
                     write=False).year
    row = year.table.set_index("unit_id").loc["H1"]
    assert row["dossiers"] == "3"  # D1 once, D2, D3
    assert row["quarters_graded"] == "2"
    from tthc.input.loading import load_quarter
    from tthc.parameters.ruleset import load_ruleset
    from tthc.quarter import Quarter
    from tthc.run.trend.regrade import Span, combine
    from tthc.schemes.tt01.engine import grade_inputs

    rules = load_ruleset("tt01-2018")
    parts = [load_quarter(data, Quarter(2021, n), rules) for n in (1, 2)]
    inputs = combine(parts, Span(Quarter(2021, 1), Quarter(2021, 2)), rules)
    assert sorted(inputs.table("dossiers")["dossier_id"]) == ["D1", "D2", "D3", "X-1"]
    d1 = inputs.table("dossiers").set_index("dossier_id").loc["D1"]
    assert str(d1["finished_at"])[:10] == "2021-04-20"
    selfs = inputs.table("self_assessment").set_index("unit_id")
    assert selfs.at["H1", "i1"] == 1.5  # (2 + 1) / 2
    assert inputs.table("overrides").empty  # the unit override was about one quarter
    result = grade_inputs(inputs, rules, {**rules.default_policies()})
    h1 = next(u for u in result.units if u.unit_id == "H1")
    points = {s.number: s.points for s in h1.scores}
    assert points[6] == 2  # not the Q1 override's 0
    assert points[1] == Decimal("1.3")  # D1 late (0), D2 and D3 early (2): 4 / 3


def test_year_missing_quarters_is_exit_2_unless_allowed(tmp_path, capsys):
    root = tmp_path / "q"
    for n in (1, 2, 3):
        graded(root, f"2020-Q{n}", Q2)
    out = tmp_path / "y"
    assert main(["year", "--year", "2020", "--quarters-dir", str(root), "--out", str(out), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert "chưa đủ bốn quý" in err and "2020-Q4" in err and "--allow-missing-quarters" in err
    assert not out.exists()
    assert main(["year", "--year", "2020", "--quarters-dir", str(root), "--out", str(out), "--no-pdf",
                 "--allow-missing-quarters"]) == 0
    assert "Quý IV năm 2020" in (out / "report.html").read_text(encoding="utf-8")


# --- command line, errors, files -------------------------------------------------------------------------------

def test_cli_unknown_profile_is_exit_2(tmp_path, capsys):
    out = tmp_path / "t"
    assert main(["trend", "--profile", "khong-co", "--from", "2021-Q1", "--to", "2021-Q2", "--out", str(out)]) == 2
    assert "Không có profile 'khong-co'" in capsys.readouterr().err
    assert not out.exists()


def test_cli_no_graded_quarter_is_exit_2_in_vietnamese(tmp_path, capsys):
    out = tmp_path / "t"
    code = main(["trend", "--from", "2019-Q1", "--to", "2019-Q2", "--quarters-dir", str(tmp_path / "none"),
                 "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "Không có quý nào đã chấm" in err and "2019-Q2" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--from", "2021-Q5", "--to", "2021-Q4"], "không hợp lệ"),
    (["--from", "2021-Q4", "--to", "2021-Q1"], "sau quý kết thúc"),
])
def test_cli_bad_range_is_exit_2(tmp_path, capsys, args, message):
    assert main(["trend", *args, "--out", str(tmp_path / "t")]) == 2
    assert message in capsys.readouterr().err


def test_bad_grades_file_names_file_row_and_column(two_quarters, tmp_path, capsys):
    path = two_quarters / "2020-Q2" / "grades.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("14.5", "mười bốn"), encoding="utf-8")
    assert main(["trend", "--from", "2020-Q1", "--to", "2020-Q2", "--quarters-dir", str(two_quarters),
                 "--out", str(tmp_path / "t")]) == 2
    err = capsys.readouterr().err
    assert "2020-Q2/grades.csv dòng 2, cột total" in err and "mười bốn" in err
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=["result"])
    frame.to_csv(path, index=False)
    assert main(["trend", "--from", "2020-Q1", "--to", "2020-Q2", "--quarters-dir", str(two_quarters),
                 "--out", str(tmp_path / "t")]) == 2
    assert "thiếu cột: result" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


def test_a_folder_of_another_quarter_is_refused(two_quarters, tmp_path):
    manifest = two_quarters / "2020-Q2" / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("2020-Q2", "2020-Q1"), encoding="utf-8")
    with pytest.raises(TrendInputError, match="không đúng quý"):
        make_trend("dien-bien-dong", "2020-Q1", "2020-Q2", quarters_dir=two_quarters, write=False)


def test_changed_inputs_are_noted(tmp_path, capsys):
    root = tmp_path / "q"
    graded(root, "2020-Q1", Q1, data_dir="data/dien-bien-dong",
           inputs=[{"table": "units", "file": "units.csv", "sha256": "0" * 64}])
    assert main(["trend", "--from", "2020-Q1", "--to", "2020-Q1", "--quarters-dir", str(root),
                 "--out", str(tmp_path / "t")]) == 0
    assert "dữ liệu đầu vào đã thay đổi sau khi chấm: units.csv" in capsys.readouterr().out


def test_trend_xlsx_is_readable_and_numbers_are_numbers(two_quarters, tmp_path):
    made = make_trend("dien-bien-dong", "2020-Q1", "2020-Q2", quarters_dir=two_quarters, out_dir=tmp_path / "t")
    book = openpyxl.load_workbook(made.out_dir / "trend.xlsx")
    assert book.sheetnames == ["Theo đơn vị", "Biến động", "Trung bình theo cấp", "Tụt bậc xếp loại", "Nguồn dữ liệu"]
    wide = book["Theo đơn vị"]
    header = [c.value for c in wide[1]]
    assert header[:3] == ["Mã đơn vị", "Tên đơn vị", "Cấp"] and "Tổng điểm Quý I năm 2020" in header
    first = {h: c.value for h, c in zip(header, wide[2], strict=True)}
    assert first["Mã đơn vị"] == "A" and first["Cấp"] == "Cấp huyện" and first["Tổng điểm Quý I năm 2020"] == 16.0
    changes = book["Biến động"]
    cols = [c.value for c in changes[1]]
    values = [dict(zip(cols, (c.value for c in r), strict=True)) for r in changes.iter_rows(min_row=2)]
    a2 = next(v for v in values if v["Quý"] == "2020-Q2" and v["Mã đơn vị"] == "A")
    assert a2["Thay đổi tổng điểm"] == -1.5 and a2["Thay đổi thứ hạng (+ là lên)"] == -1
    assert book["Tụt bậc xếp loại"].max_row == 3  # header + A + D


def test_same_inputs_same_bytes(two_quarters, tmp_path):
    one = make_trend("dien-bien-dong", "2020-Q1", "2020-Q2", quarters_dir=two_quarters, out_dir=tmp_path / "a")
    two = make_trend("dien-bien-dong", "2020-Q1", "2020-Q2", quarters_dir=two_quarters, out_dir=tmp_path / "b")
    first, second = files(one.out_dir), files(two.out_dir)
    assert first == second
    assert {"trend.csv", "trend.xlsx", "trend.json", "charts/xep_loai_theo_quy.png"} <= set(first)


def test_publish_replaces_the_folder_whole_or_not_at_all(tmp_path, monkeypatch):
    out = tmp_path / "t"
    out.mkdir()
    (out / "old.txt").write_text("cũ")
    publish({"a.csv": b"1", "charts/b.png": b"2"}, out)
    assert files(out) == {"a.csv": b"1", "charts/b.png": b"2"}
    real = Path.write_bytes

    def failing(self, data):
        if self.name == "b.png":
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(RunFailed, match="thư mục cũ giữ nguyên"):
        publish({"a.csv": b"new", "charts/b.png": b"new"}, out)
    assert files(out) == {"a.csv": b"1", "charts/b.png": b"2"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]  # no temporary folder left


def test_annual_method_is_a_named_setting_a_profile_may_choose():
    from tthc.parameters.annual import ANNUAL_METHOD, LABELS
    from tthc.parameters.profiles import _build
    from tthc.parameters.validation import SchemaProblems
    from tthc.run.trend.annual import check_method

    assert ANNUAL_METHOD.default == "mean_of_quarters" and set(LABELS) == set(ANNUAL_METHOD.values)
    assert "cả năm" in ANNUAL_METHOD.description
    assert check_method(None) == "mean_of_quarters"
    with pytest.raises(TrendInputError, match="regrade_year"):
        check_method("median")
    assert _build("p", Path("p.yaml"), {"annual_method": "regrade_year"}).settings == {"annual_method": "regrade_year"}
    with pytest.raises(SchemaProblems) as problems:
        _build("p", Path("p.yaml"), {"annual_method": "median"})
    assert problems.value.problems[0].loc == ("annual_method",)


def test_notebook_07_is_thin_and_saved_without_outputs():
    nb = json.loads((ROOT / "notebooks" / "07_trend.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1 and "from_quarter" in "".join(tagged[0]["source"])
    assert "tthc.notebook_trend(" in "".join(code[1]["source"])
    assert nb["cells"][0]["source"][0].startswith("# 7. Xu hướng")


# --- the sample: four graded quarters of 2021 ------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_quarters(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample") / "quarters"
    for n in range(1, 5):
        assert main(["grade", "--quarter", f"2021-Q{n}", "--data", str(SAMPLE), "--out", str(root / f"2021-Q{n}")]) == 0
    return root


def test_sample_trend_from_output_folders(sample_quarters, tmp_path, capsys):
    out = tmp_path / "t"
    assert main(["trend", "--from", "2021-Q1", "--to", "2021-Q4", "--quarters-dir", str(sample_quarters),
                 "--out", str(out)]) == 0
    assert "Chấm lại trong bộ nhớ" not in capsys.readouterr().out
    rows = read_csv(out / "trend.csv")
    assert len(rows) == 27 * 4
    falls = pd.read_excel(out / "trend.xlsx", sheet_name="Tụt bậc xếp loại", dtype=str, engine="openpyxl")
    assert sorted(zip(falls["Quý"], falls["Mã đơn vị"], falls["Số bậc giảm"], strict=True)) == [
        ("2021-Q2", "H05", "1"), ("2021-Q3", "H04", "1"), ("2021-Q3", "X11", "1"), ("2021-Q4", "X07", "1"),
        ("2021-Q4", "X12", "2")]
    h04 = row_of(rows, "2021-Q3", "H04")
    assert (h04["total"], h04["total_change"], h04["result"]) == ("14.2", "-2.6", TOT)


def test_sample_quarter_graded_now_equals_its_output_folder(sample_quarters, tmp_path, capsys):
    partial = tmp_path / "quarters"
    for n in (1, 2, 3):
        shutil.copytree(sample_quarters / f"2021-Q{n}", partial / f"2021-Q{n}")
    assert main(["trend", "--from", "2021-Q1", "--to", "2021-Q4", "--quarters-dir", str(partial),
                 "--out", str(tmp_path / "partial")]) == 0
    assert "Chấm lại trong bộ nhớ từ dữ liệu (chưa có thư mục kết quả): Quý IV năm 2021." in capsys.readouterr().out
    assert not (partial / "2021-Q4").exists()  # nothing written for the quarter graded now
    assert main(["trend", "--from", "2021-Q1", "--to", "2021-Q4", "--quarters-dir", str(sample_quarters),
                 "--out", str(tmp_path / "full")]) == 0
    assert (tmp_path / "partial" / "trend.csv").read_bytes() == (tmp_path / "full" / "trend.csv").read_bytes()
    sources = pd.read_excel(tmp_path / "partial" / "trend.xlsx", sheet_name="Nguồn dữ liệu", dtype=str,
                            engine="openpyxl")
    assert list(sources["Nguồn kết quả"]) == ["đã chấm (thư mục kết quả)"] * 3 + ["chấm lại trong bộ nhớ từ dữ liệu"]


@pytest.mark.slow
def test_sample_year_report(sample_quarters, tmp_path):
    out = tmp_path / "y"
    assert main(["year", "--year", "2021", "--quarters-dir", str(sample_quarters), "--out", str(out)]) == 0
    table = {r["unit_id"]: r for r in read_csv(out / "annual.csv")}
    # H04: (14.2 + 16.8 + 14.2 + 16.9) / 4 = 15.525 -> 15.5, Xuất sắc
    assert (table["H04"]["total"], table["H04"]["result"], table["H04"]["quarters_graded"]) == ("15.5", XS, "4")
    assert table["X14"]["result"] == NOT_SCORED and table["H08"]["result"] == NO_DOSSIER
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Kết quả chấm điểm đánh giá việc giải quyết thủ tục hành chính năm 2021" in html
    assert "ỦY BAN NHÂN DÂN" in html and "Phụ lục I" in html and "Phụ lục II" in html and "<script" not in html
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_sample_regrade_year(sample_quarters):
    year = make_year("dien-bien-dong", 2021, "regrade_year", quarters_dir=sample_quarters, write=False).year
    table = year.table.set_index("unit_id")
    quarterly = [read_csv(sample_quarters / f"2021-Q{n}" / "grades.csv") for n in range(1, 5)]
    for uid in ("H03", "X01", "X11"):
        assert int(table.at[uid, "dossiers"]) == sum(int(next(r for r in q if r["unit_id"] == uid)["dossiers"])
                                                     for q in quarterly)
    assert table.at["X14", "result"] == NOT_SCORED  # never submitted a self-assessment
    assert table.at["X13", "result"] in (XS, TOT, KHA, TB, YEU)  # submitted in three quarters of four
    assert table.at["H08", "result"] == NO_DOSSIER


def test_the_index_province_row_is_shown_but_not_ranked_or_averaged(tmp_path, index_rules):
    root = tmp_path / "q"
    for n in range(1, 5):
        graded(root, f"2020-Q{n}", [ix("TINH", "toan_tinh", "70.00", KHA, "", ("10.00",) * 6),
                                    ix("A", "xa", "90.00", XS, "1", ("18.00",) * 6),
                                    ix("B", "xa", "60.00", TB, "2", ("6.00",) * 6)], rules_file=index_rules)
    made = make_year("dien-bien-dong", 2020, quarters_dir=root, out_dir=tmp_path / "y", pdf=False)
    trend = made.year.trend
    assert set(trend.units["unit_id"]) == {"TINH", "A", "B"}
    means = trend.averages[(trend.averages["level"] == "tat_ca") & (trend.averages["column"] == "g1")]
    assert set(means["units"]) == {"2"} and set(means["mean"]) == {"12.00"}  # (18 + 6) / 2, the province left out
    table = {r["unit_id"]: r for r in read_csv(made.out_dir / "annual.csv")}
    assert (table["TINH"]["total"], table["TINH"]["rank"]) == ("70.00", "")
    assert (table["A"]["rank"], table["B"]["rank"]) == ("1", "2")
    html = (made.out_dir / "report.html").read_text(encoding="utf-8")
    assert "Đơn vị A" in html and "Đơn vị TINH" not in html


def test_year_same_inputs_same_bytes(tmp_path):
    root = tmp_path / "q"
    for n, rows in enumerate([Q1, Q2, Q1, Q2], start=1):
        graded(root, f"2020-Q{n}", rows)
    one = make_year("dien-bien-dong", 2020, quarters_dir=root, out_dir=tmp_path / "a", pdf=False)
    two = make_year("dien-bien-dong", 2020, quarters_dir=root, out_dir=tmp_path / "b", pdf=False)
    assert files(one.out_dir) == files(two.out_dir)
    assert set(files(one.out_dir)) == {"annual.csv", "annual.xlsx", "annual.json", "report.html"}

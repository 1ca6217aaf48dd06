"""``public.html``: the page the office publishes with each unit's result, from the report's context (TT 01/2018's
or the index's: the same rows, the index's with the province's own row as its first "level").

One self-contained file: per unit its level, number of dossiers, appraised total, grade and rank within its
level; no official's name, no signer, no dossier or unit code, nothing personal. The table sorts when a
header is clicked and filters by level, with inline JavaScript; a Content-Security-Policy forbids every
fetch, so the page never reaches the network (no font, script or image from elsewhere). Without JavaScript
the whole table still reads in the order of the report's appendix.
"""

from __future__ import annotations

from pathlib import Path

from tthc.quarter import Quarter

TEMPLATE = "public.html.j2"


def rows(context: dict) -> list[dict]:
    """Every unit of the appendix, level by level, with only what may be published."""
    published = []
    for table in context["appendix"]["tables"]:
        for row in table["rows"]:
            published.append(
                {
                    "level": table["level"],
                    "level_name": table["name"],
                    "unit_name": row["unit_name"],
                    "dossiers": row["dossiers"],
                    "dossiers_value": row["dossiers_value"],
                    "total": row["total"],
                    "total_value": row["total_value"],
                    "result": row["result"],
                    "rank": row["rank"],
                    "rank_value": row["rank_value"],
                }
            )
    return published


def render(context: dict) -> str:
    """The public page for a report context (``tthc.report.build_context``); every value is escaped."""
    levels = [{"code": t["level"], "name": t["name"]} for t in context["appendix"]["tables"]]
    from tthc.report.templating import environment

    return environment(hyphens=False).get_template(TEMPLATE).render(
        public=context["public"],
        issuing_body_short=context["issuing_body_short"],
        place_date=context["place_date"],
        levels=levels,
        rows=rows(context),
    )


def build_public_page(
    quarter: str | Quarter, profile: str, out_dir: Path | str | None = None, root: Path | None = None
) -> str:
    """The public page of ``quarter`` for ``profile`` from ``out_dir`` (by default outputs/<profile>/<quarter>),
    from the report context of the scheme the folder was graded under (TT 01/2018 or the index)."""
    from tthc.report import context as report
    from tthc.report import index_context
    from tthc.report.index_inputs import scheme_of

    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    folder = Path(out_dir) if out_dir is not None else report.default_output_dir(profile, q, root)
    scheme = index_context if scheme_of(folder) == "nd118" else report
    params, _ = scheme.load_parameters(profile, q, root)
    return render(scheme.build_context(folder, params, q))

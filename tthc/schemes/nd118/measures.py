"""The registry of component kinds: the rule file's ``measure:`` names the class that computes a component."""

from __future__ import annotations

from .catalogue_measures import Catalogue, CatalogueDossiers, CommuneShare
from .dossier_measures import DossierFlag, DossierSatisfied, OnTime
from .measure import Measure
from .petition_measures import PetitionsOnTime, PetitionsSatisfied

MEASURES: dict[str, type[Measure]] = {
    "catalogue": Catalogue,
    "catalogue_dossiers": CatalogueDossiers,
    "commune_share": CommuneShare,
    "dossier_flag": DossierFlag,
    "on_time": OnTime,
    "dossier_satisfied": DossierSatisfied,
    "petitions_on_time": PetitionsOnTime,
    "petitions_satisfied": PetitionsSatisfied,
}


def measure_for(spec) -> Measure:
    """The component object of a rule-file component."""
    return MEASURES[spec.measure](spec)

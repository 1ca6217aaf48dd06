"""The TT 01/2018 scheme: the grading engine (``engine``), its measures and its explanations.

Importing the scheme registers its measure kinds (``measure.REGISTRY``), so that a rule set's indicators
resolve whichever of its modules is imported first.
"""

from tthc.schemes.tt01 import measures, unit_measures  # noqa: F401 - registers the measure kinds

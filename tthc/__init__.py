"""tthc: the quarterly TTHC scoring workbench (TT 01/2018/TT-VPCP, NĐ 61/2018/NĐ-CP Chương V)."""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("tthc")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"

#: The project folder when running from a checkout (holds parameters/, data/, outputs/).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

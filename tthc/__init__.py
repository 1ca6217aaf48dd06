"""tthc: the quarterly TTHC scoring workbench (TT 01/2018/TT-VPCP, NĐ 61/2018/NĐ-CP Chương V)."""

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("tthc")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"



def _project_root() -> Path:
    """The project folder (holds parameters/, data/, outputs/): ``TTHC_HOME``, else the checkout this
    package lives in, else the current folder."""
    home = os.environ.get("TTHC_HOME")
    if home:
        return Path(home).resolve()
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "parameters" / "rules").is_dir():
        return checkout
    return Path.cwd()


PROJECT_ROOT = _project_root()

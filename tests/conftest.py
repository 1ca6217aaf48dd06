import os
import sys
from pathlib import Path

# openpyxl's own XML writer, as tthc pins it, before any test module imports openpyxl (see tthc/__init__.py).
os.environ["OPENPYXL_LXML"] = "False"

sys.path.insert(0, str(Path(__file__).parent))

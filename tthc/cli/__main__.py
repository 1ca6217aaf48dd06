"""``python -m tthc.cli``: the command line."""

import sys

from tthc.cli import main

sys.exit(main())

"""`python -m builders ...`: see builders/cli.py."""

import sys

from builders.cli import entry_point

sys.exit(entry_point())

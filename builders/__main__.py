"""`python -m builders ...`: see builders/cli.py."""

import sys

from builders.cli import main

sys.exit(main())

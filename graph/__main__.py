"""``python -m reelgraph``: the ``reelgraph`` command."""

import sys

from reelgraph.cli import main

sys.exit(main())

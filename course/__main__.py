"""``python -m course``: the same command line as the ``course`` console script."""

import sys

from course.cli import main

sys.exit(main())

import sys

from sesguard.cli import main

sys.exit(main())

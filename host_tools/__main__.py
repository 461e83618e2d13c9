"""python -m host_tools {run,bench,flash,sweep,energy,powerfail} ...: see host_tools/cli/."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())

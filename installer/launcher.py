"""Entry point of the frozen workbench (PyInstaller runs this file as __main__).

The same program serves the command line (`workbench reconcile ...`) and the window
(`workbench` or `workbench gui`): it is the `workbench` console script, frozen.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a process pool in a frozen app re-enters here
    from workbench.cli.main import main

    sys.exit(main())

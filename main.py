"""Neural Network Playground: `python main.py` opens the window; `python main.py train ...`
(or evaluate, predict) runs the command line."""

import sys

from playground.app import main

if __name__ == "__main__":
    sys.exit(main())

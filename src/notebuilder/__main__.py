import signal
import sys

from .errors import Interrupted, raise_interrupted

# Installed before the heavy imports, so that a stop during start-up is handled too.
signal.signal(signal.SIGTERM, raise_interrupted)
signal.signal(signal.SIGINT, raise_interrupted)
try:
    from .cli import run
except Interrupted:
    print("notebuilder: interrupted; earlier outputs are untouched", file=sys.stderr)
    sys.exit(130)

run()

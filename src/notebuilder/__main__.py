import signal
import sys

from .errors import Interrupted, raise_interrupted

# Installed before the heavy imports, so that a stop during start-up is handled too.
signal.signal(signal.SIGTERM, raise_interrupted)
signal.signal(signal.SIGINT, raise_interrupted)
try:
    from .cli import main
except Interrupted:
    print("notebuilder: interrupted; earlier outputs are untouched", file=sys.stderr)
    sys.exit(130)

code = main()
# The work is done and its outputs are in place: a stop from now on has nothing left to
# interrupt. Ignore it, because while the interpreter shuts down Python resets its own
# handlers to the default, and a late SIGTERM would kill a finished build with -15.
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.exit(code)

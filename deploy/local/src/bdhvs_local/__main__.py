import sys

from bdhvs_local.cli import app
from bdhvs_local.stack import PortsTaken

try:
    app()
except PortsTaken as exc:  # a clear line, not a traceback: the person only has to free or pick ports
    sys.exit(f"bdhvs_local: {exc}")

"""Where the shared test material is: ../shared beside the repository (or $MIGMODULE_SHARED)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MIGMODULE_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
DDI_SCHEMAS = SHARED / "ddi-2.5" / "schemas"

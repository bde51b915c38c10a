"""The audit log: its writer (log), its hash chain's key (keys), checks (chain) and anchors (anchors).

Importing any of them registers the anchors' after-commit listener (models.audit.anchors), so a
database configured with an anchor file is anchored whichever module the caller imported.
"""
from models.audit import anchors as _anchors  # noqa: F401 - registers the after-commit listener

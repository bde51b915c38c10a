"""Component ids of the shell area's pages (the public transparency page), shared by pages and tests.

Imports nothing.
"""
from __future__ import annotations

# /transparency: the audit log's newest anchor and the ones before it
TRANSPARENCY_ANCHOR = "transparency-anchor"
TRANSPARENCY_RECENT = "transparency-recent"
TRANSPARENCY_HOWTO = "transparency-howto"
TRANSPARENCY_PB_FILES = "transparency-pb-files"      # the published cycles' .pb files (issue 22 item 6)
TRANSPARENCY_RUNS = "transparency-runs"              # the newest matching runs' summaries
TRANSPARENCY_OPEN_DATA = "transparency-open-data"    # the API's link and the bulk downloads

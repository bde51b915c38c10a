"""Citizens' voice (issue 21): citizen proposals (problems and talents), their diagnosis by a table's members,
the chair's decision (adopt into a project, answer, forward, decline, merge), key cores and moderation.

Imports sqlalchemy and models only: `proposals` (making, supporting, evidence, routing, browsing),
`diagnosis` (comments, diagnoses, decisions), `cores` (key cores: members, tasks, meetings), `moderation`.
"""

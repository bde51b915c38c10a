"""The resident register (issue 23 items 2 and 5): importing it, accounts claiming an entry, who may vote,
and registering residents who have no smartphone. The rules ballots enforce live in models.core.residency."""

"""Open data: what anyone may read about the county's tables, projects, budgeting and matching, as plain dicts.

Imports sqlalchemy and the models foundation only (no other area: the queries are written here, once,
for the public API and its bulk downloads in dash_app.api). No personal data ever leaves through it:

- no phone, e-mail, password, session or address of anyone, and no account ids of people;
- a person's name only where the person is public in a role and chose to be named
  (`User.show_name_publicly`): a table's chair; contributors are never named here, nor a citizen proposal's
  author or supporters (supporters are a count), nor who answered it (the table answers); a proposal is
  published as its public page shows it (its text and place, never its point on the map), a hidden one not
  at all; free texts (a proposal, a milestone's "responsible") are published as their authors wrote them for
  the public pages;
- referrals only as the figures /referrals shows per table and organization (models.core.referral_figures),
  never a referral's text or its citizen;
- what citizens gave is published only as aggregates of at least `MIN_CONTRIBUTORS` people
  (models.opendata.privacy): a need's accepted, delivered and proposed quantities and its number of
  contributors are null (`"suppressed": true`) while one or two people gave to it, so nobody can read
  off what a neighbour gave. The governorate's PB budget is public money, not a person: it never
  counts toward the threshold and never hides a figure by itself;
- budgeting ballots only as the published counts per project (and the anonymised .pb file, once the
  results are published), never who voted.

Lists are paged by a cursor (the last id seen): stable while rows are added, no offset scans.
"""

"""Messages that reach people outside the app (issue 23): the outbox, its transports and sender, the texts,
notification preferences, the dispatcher that turns notifications into messages, and the daily digest.

Imports the standard library, sqlalchemy and the models foundation (core, orm, audit) only.
"""

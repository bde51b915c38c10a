"""Hamyar's data model and the domain operations on it.

`models.orm` is the one ORM layer; `models.core` the shared infrastructure and rules (database,
schema, errors, enums, capacity and row locks, notifications); `models.audit` the audit writer
and chain; every other subpackage groups the operations of one area and imports only those three
(`demo` may import every area). Imports sqlalchemy and `matching`; never dash, flask or anything web.
"""

"""The sentences for domain error codes, one module per area, each with a `MESSAGES` dict.

i18n.error_message finds them all; a test fails when a code raised in models/ has no sentence.
"""

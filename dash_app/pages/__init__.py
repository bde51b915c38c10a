"""One module per page; `dash_app.create_app` imports every module here (do not import them elsewhere).

Imports dash_app.layout (the `page` decorator) and dash_app.auth (roles, `secured_callback`).
"""

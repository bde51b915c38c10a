"""The pages, by area (citizen, table, governorate, pb, accounts, shell): a module that registers a route
with `page(...)` is a page; the other modules of an area are its ids and sections. `dash_app.create_app`
imports every module here (walk_packages). A page never imports another page, nor another area's
modules; what pages share lives in dash_app.ui (tests/test_layers.py checks it).

Imports dash_app.layout (the `page` decorator), dash_app.auth (roles, `secured_callback`) and dash_app.ui.
"""

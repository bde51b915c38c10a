"""Sentences for the error codes of attaching files (models.core.uploads, dash_app.uploads)."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "upload_empty": _l("Choose a file to attach."),
    "upload_too_large": _l("A file can be at most %(maximum)s MB."),
    "upload_type_not_allowed": _l("Only photos (JPEG, PNG, WebP) and PDF documents can be attached."),
    "upload_image_unreadable": _l("This photo could not be read; try another one."),
    "upload_image_too_big": _l("This image has too many pixels; send a smaller photo."),
    "upload_pdf_unsafe": _l("This PDF contains scripts, actions or embedded files, or is incomplete; "
                            "save it again as a plain PDF and attach that."),
    "upload_purpose_invalid": _l("This file cannot be attached here."),
    "upload_not_yours": _l("One of the attached files is not yours or no longer exists; attach it again."),
    "upload_not_found": _l("This file does not exist or is not shown to you."),
    "upload_sign_in": _l("Please sign in to attach files."),
    "upload_too_many": _l("You have attached many files in the last hour; please try again later."),
}

"""Checking, storing and serving the files people attach (photos and PDF documents).

Imports Pillow, sqlalchemy and models. A file is trusted by its content, never by its name or the
type the browser claimed: the first bytes decide whether it is a JPEG, PNG, WebP or PDF; anything
else is refused. Images are decoded and re-encoded (JPEG, or PNG when they have transparency), which
drops whatever a crafted file carried besides pixels and the camera's metadata (GPS position, serial
numbers) a citizen did not mean to publish; they are turned upright by their EXIF orientation and
scaled to at most MAX_SIDE pixels. PDFs are kept as sent but refused when they hold scripts, launch
actions or embedded files, and are only ever served as downloads.

Who may see an upload: anyone once it is public (its owner's area makes it so, e.g. evidence on a
published proposal), otherwise its owner, the governorate, and whoever the rule registered for its
purpose allows (`register_viewer`); a hidden upload is served to the governorate only. An area whose
files follow something that can change back (a project's photos are public only while the project is)
registers its rule with `decides=True`: the rule alone then says who sees an attached file, whatever its
public flag says (the governorate still sees everything); a file its rule does not know yet (None: not
attached) is its owner's.
"""
from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.errors import NotFound, PermissionDenied, ValidationError
from models.orm.base import utcnow
from models.orm.people import User
from models.orm.uploads import Upload, UploadBlob

MAX_BYTES = 10 * 1024 * 1024  # what a phone camera's photo weighs, with room
MAX_PIXELS = 40_000_000        # a decompression bomb is refused before it is decoded
MAX_SIDE = 2048                # enough to read a receipt; a tenth of a camera's bytes
JPEG_QUALITY = 85
NAME_MAX = 120
KINDS = ("image", "pdf")

# Words in a PDF that make it act rather than show: scripts, actions on open, files inside it.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|OpenAction|AA|XFA|SubmitForm)\b")

Viewer = Callable[[Session, "User | None", Upload], "bool | None"]
_VIEWERS: dict[str, Viewer] = {}
_DECIDES: set[str] = set()


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks, ready to store."""

    kind: str
    content_type: str
    data: bytes
    width: int | None = None
    height: int | None = None


def register_viewer(purpose: str, rule: Viewer, *, decides: bool = False) -> None:
    """Let the area that owns `purpose` say who else may see its uploads while they are not public; with
    `decides`, who may see them at all (their public flag is then not read)."""
    _VIEWERS[purpose] = rule
    if decides:
        _DECIDES.add(purpose)


def sniff(data: bytes) -> str | None:
    """The file's type by its first bytes: "jpeg", "png", "webp", "pdf" or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return None


def safe_name(name: str | None, fallback: str) -> str:
    """A display name from what the browser sent: no path, no control or bidi-override characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base)
                   if unicodedata.category(ch)[0] != "C")  # Cc, Cf (incl. RLO/LRO), Co, Cn
    base = base.strip(" .")[:NAME_MAX]
    return base or fallback


def check_file(data: bytes, *, allowed: tuple[str, ...] = KINDS) -> Checked:
    """Refuse what is not an allowed photo or a harmless PDF; re-encode photos. Raises ValidationError."""
    if not data:
        raise ValidationError("upload_empty", field="file")
    if len(data) > MAX_BYTES:
        raise ValidationError("upload_too_large", field="file", maximum=MAX_BYTES // (1024 * 1024))
    found = sniff(data)
    if found == "pdf":
        if "pdf" not in allowed:
            raise ValidationError("upload_type_not_allowed", field="file")
        return _check_pdf(data)
    if found is None or "image" not in allowed:
        raise ValidationError("upload_type_not_allowed", field="file")
    return _reencode_image(data)


def _check_pdf(data: bytes) -> Checked:
    if _PDF_ACTIVE.search(data) or b"%%EOF" not in data[-2048:]:
        raise ValidationError("upload_pdf_unsafe", field="file")
    return Checked(kind="pdf", content_type="application/pdf", data=data)


def _reencode_image(data: bytes) -> Checked:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError("upload_image_too_big", field="file")
            probe.verify()  # structure only; the image must be opened again to decode it
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            upright: Image.Image = ImageOps.exif_transpose(opened)
            has_alpha = upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info)
            img = upright.convert("RGBA" if has_alpha else "RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if has_alpha:
                img.save(out, format="PNG", optimize=True)
            else:
                img.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
            return Checked(kind="image", content_type="image/png" if has_alpha else "image/jpeg",
                           data=out.getvalue(), width=img.width, height=img.height)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError("upload_image_unreadable", field="file") from exc


def store_upload(session: Session, owner_id: int, purpose: str, filename: str | None, data: bytes, *,
                 allowed: tuple[str, ...] = KINDS, public: bool = False) -> Upload:
    """Check `data`, keep it, and return its Upload (audited as "upload.add")."""
    if not re.fullmatch(r"[a-z][a-z_]{1,39}", purpose or ""):
        raise ValidationError("upload_purpose_invalid", field="purpose")
    checked = check_file(data, allowed=allowed)
    fallback = "photo.png" if checked.content_type == "image/png" else (
        "photo.jpg" if checked.kind == "image" else "document.pdf")
    name = safe_name(filename, fallback)
    if checked.kind == "image":  # the stored bytes are a new file: its name says what it now is
        stem = name.rsplit(".", 1)[0] if "." in name else name
        name = f"{stem[:NAME_MAX - 4]}.{'png' if checked.content_type == 'image/png' else 'jpg'}"
    upload = Upload(token=secrets.token_urlsafe(32), owner_id=owner_id, purpose=purpose, kind=checked.kind,
                    content_type=checked.content_type, size=len(checked.data),
                    sha256=hashlib.sha256(checked.data).hexdigest(), width=checked.width,
                    height=checked.height, name=name, is_public=public, created_at=utcnow())
    session.add(upload)
    session.flush()
    session.add(UploadBlob(upload_id=upload.id, data=checked.data))
    record(session, owner_id, "upload.add", upload)
    return upload


def get_upload(session: Session, token: str) -> Upload:
    upload = session.scalar(select(Upload).where(Upload.token == token)) if isinstance(token, str) else None
    if upload is None:
        raise NotFound("upload_not_found")
    return upload


def uploads_by_token(session: Session, tokens: list[str], owner_id: int) -> list[Upload]:
    """The owner's uploads among `tokens`, in the given order; a token of someone else's is refused."""
    wanted = [t for t in dict.fromkeys(tokens) if isinstance(t, str) and t]
    found = {u.token: u for u in session.scalars(select(Upload).where(Upload.token.in_(wanted)))} if wanted else {}
    for token in wanted:
        upload = found.get(token)
        if upload is None or upload.owner_id != owner_id:
            raise ValidationError("upload_not_yours", field="file")
    return [found[t] for t in wanted]


def may_view(session: Session, user: User | None, upload: Upload) -> bool:
    if user is not None and user.is_governorate:
        return True
    if upload.hidden_at is not None:
        return False
    rule = _VIEWERS.get(upload.purpose)
    if rule is not None and upload.purpose in _DECIDES:
        verdict = rule(session, user, upload)
        return verdict if verdict is not None else (user is not None and user.id == upload.owner_id)
    if upload.is_public or (user is not None and user.id == upload.owner_id):
        return True
    return bool(rule and rule(session, user, upload))


def visible_to_anyone(session: Session, upload: Upload) -> bool:
    """Whether someone signed out may see it now (a shared cache may then keep it, for a while)."""
    return may_view(session, None, upload)


def read_upload(session: Session, user: User | None, token: str) -> tuple[Upload, bytes]:
    """The upload and its bytes, for someone allowed to see it (others get NotFound: no probing)."""
    upload = get_upload(session, token)
    if not may_view(session, user, upload):
        raise NotFound("upload_not_found")
    blob = session.get(UploadBlob, upload.id)
    if blob is None:
        raise NotFound("upload_not_found")
    return upload, blob.data


def set_public(session: Session, actor_id: int | None, uploads: list[Upload], public: bool) -> None:
    """Make uploads public or private (their area decides when, e.g. when a proposal is published)."""
    for upload in uploads:
        if upload.is_public != public:
            before = {"is_public": upload.is_public}
            upload.is_public = public
            record(session, actor_id, "upload.publish" if public else "upload.unpublish", upload, before=before)


def hide_upload(session: Session, actor: User, upload: Upload, reason: str) -> None:
    """A moderator hides an upload (abusive, personal data); the reason stays in the audit log."""
    if not actor.is_governorate:
        raise PermissionDenied("governorate_only")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason_required", field="reason")
    if upload.hidden_at is None:
        upload.hidden_at = utcnow()
        record(session, actor.id, "upload.hide", upload, before={"hidden_at": None},
               after={"hidden_at": upload.hidden_at, "reason": reason[:500]})

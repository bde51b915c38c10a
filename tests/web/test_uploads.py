"""Attaching files: what models.core.uploads accepts, what it makes of a photo, and how
dash_app.uploads takes and serves files — as the owner, another citizen, the governorate, anonymous."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from models.core import uploads
from models.core.errors import NotFound, ValidationError
from models.orm.audit_event import AuditEvent
from models.orm.people import User
from models.orm.uploads import Upload, UploadBlob
from tests.web.conftest import csrf, log_in


def photo(fmt: str = "JPEG", size=(3000, 2000), mode: str = "RGB", exif_gps: bool = False) -> bytes:
    img = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    out = io.BytesIO()
    kw = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x0112] = 6  # orientation: rotated 90° — the re-encoded photo must come out upright
        exif[0x8825] = {1: "N", 2: (36.0, 28.0, 0.0)}  # GPS IFD: where the citizen stood
        exif[0x010F] = "CameraMaker"
        kw["exif"] = exif
    img.save(out, format=fmt, **kw)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_photo_is_re_encoded_upright_small_and_without_its_metadata():
    checked = uploads.check_file(photo(exif_gps=True))
    assert checked.content_type == "image/jpeg"
    assert max(checked.width, checked.height) == uploads.MAX_SIDE
    img = Image.open(io.BytesIO(checked.data))
    assert img.height > img.width  # orientation 6 applied: the 3000×2000 photo stands up
    assert not img.getexif()  # no GPS, no camera, no orientation left
    assert b"CameraMaker" not in checked.data


def test_transparency_is_kept_as_png_and_webp_is_accepted():
    assert uploads.check_file(photo("PNG", (50, 50), "RGBA")).content_type == "image/png"
    assert uploads.check_file(photo("WEBP", (50, 50))).content_type == "image/jpeg"


@pytest.mark.parametrize("data, code", [
    (b"", "upload_empty"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "upload_type_not_allowed"),
    (b"<html><script>alert(1)</script></html>", "upload_type_not_allowed"),
    (b"GIF89a" + b"\0" * 20, "upload_type_not_allowed"),
    (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "upload_image_unreadable"),
    (PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
     "upload_pdf_unsafe"),
    (PDF[:-7], "upload_pdf_unsafe"),
])
def test_what_is_not_a_harmless_photo_or_pdf_is_refused(data, code):
    with pytest.raises(ValidationError) as err:
        uploads.check_file(data)
    assert err.value.code == code


def test_size_and_pixel_bombs_are_refused_before_decoding(monkeypatch):
    with pytest.raises(ValidationError) as err:
        uploads.check_file(b"\xff\xd8\xff" + b"\0" * uploads.MAX_BYTES)
    assert err.value.code == "upload_too_large"
    monkeypatch.setattr(uploads, "MAX_PIXELS", 100 * 100)
    with pytest.raises(ValidationError) as err:
        uploads.check_file(photo("PNG", (101, 100)))
    assert err.value.code == "upload_image_too_big"


def test_a_pdf_may_be_refused_where_only_photos_belong():
    assert uploads.check_file(PDF).kind == "pdf"
    with pytest.raises(ValidationError):
        uploads.check_file(PDF, allowed=("image",))


def test_display_names_lose_paths_and_bidi_overrides():
    assert uploads.safe_name("../../etc/passwd", "x") == "passwd"
    assert uploads.safe_name("C:\\Users\\a\\عکس کوچه.jpg", "x") == "عکس کوچه.jpg"
    assert uploads.safe_name("photo\u202egpj.exe", "x") == "photogpj.exe"
    assert uploads.safe_name("  ", "photo.jpg") == "photo.jpg"


def test_store_keeps_bytes_apart_audits_and_checks_ownership(web_db, people):
    with web_db.unit_of_work() as s:
        up = uploads.store_upload(s, people.citizen, "proposal_evidence", "alley.png", photo("PNG", (40, 30)))
        token = up.token
    with web_db.reader() as s:
        up = s.scalar(select(Upload).where(Upload.token == token))
        assert (up.kind, up.content_type, up.name, up.is_public) == ("image", "image/jpeg", "alley.jpg", False)
        assert s.get(UploadBlob, up.id).data.startswith(b"\xff\xd8\xff")
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "upload.add")) == 1
        assert [u.token for u in uploads.uploads_by_token(s, [token, token], people.citizen)] == [token]
        with pytest.raises(ValidationError):
            uploads.uploads_by_token(s, [token], people.member)
        other = s.get(User, people.member)
        with pytest.raises(NotFound):
            uploads.read_upload(s, other, token)
        assert uploads.read_upload(s, s.get(User, people.governorate), token)[0].id == up.id


def test_a_bad_purpose_changes_nothing(web_db, people):
    with web_db.unit_of_work() as s, pytest.raises(ValidationError):
        uploads.store_upload(s, people.citizen, "../x", "a.jpg", photo())
    with web_db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Upload)) == 0


def _post(client, data: bytes, name="alley.jpg", purpose="proposal_evidence", token=True):
    headers = {"X-CSRFToken": csrf(client)} if token else {}
    return client.post("/uploads", data={"purpose": purpose, "file": (io.BytesIO(data), name)},
                       headers=headers, content_type="multipart/form-data")


def test_the_route_takes_a_phone_photo_over_the_callback_limit_and_serves_it_safely(app, client, people):
    log_in(client, "citizen")
    noise = Image.effect_noise((2600, 1950), 90).convert("RGB")  # a camera's photo does not compress
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=92)
    big = out.getvalue()
    assert app.config["MAX_CONTENT_LENGTH"] < len(big) < uploads.MAX_BYTES
    resp = _post(client, big)
    assert resp.status_code == 201, resp.get_json()
    url = resp.get_json()["url"]
    got = client.get(url)
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "image/jpeg"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert "public" not in got.headers["Cache-Control"]  # a private file stays out of shared caches
    assert max(Image.open(io.BytesIO(got.data)).size) == uploads.MAX_SIDE

    stranger = app.test_client()
    assert stranger.get(url).status_code == 404  # private: not shown to anyone else, not even its existence
    log_in(stranger, "member")
    assert stranger.get(url).status_code == 404


def test_a_pdf_is_served_as_a_download(client, people):
    log_in(client, "citizen")
    url = _post(client, PDF, name="report.pdf").get_json()["url"]
    got = client.get(url)
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment;")


def test_the_route_refuses_with_a_sentence_and_stores_nothing(app, client, people):
    client.set_cookie("hamyar_lang", "en")
    resp = _post(client, photo(size=(10, 10)))
    assert resp.status_code == 401 and resp.get_json()["message"] == "Please sign in to attach files."
    log_in(client, "citizen")  # the account's language (Persian) now speaks
    assert _post(client, photo(size=(10, 10)), token=False).status_code == 403  # no CSRF token
    resp = _post(client, b"<script>alert(1)</script>", name="x.jpg")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "upload_type_not_allowed"
    assert body["message"].startswith("فقط عکس")
    with app.extensions["hamyar_db"].reader() as s:
        assert s.scalar(select(func.count()).select_from(Upload)) == 0

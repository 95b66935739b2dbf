"""Photos taken by people, made safe to keep and to show (DESIGN.md §4): a phone's JPEG carries the place it
was taken (GPS), the time, the device and its serial number in EXIF, and a PNG may carry text chunks. Every
photo is decoded and written again from its pixels alone — turned upright first by its EXIF orientation, so
that removing the tag does not leave it lying on its side — and only those bytes are stored. Faces and what is
in the picture remain the uploader's responsibility; the pages that take photos say so.

A photo larger than ``PHOTO_MAX_PIXELS`` is refused before it is decoded (a small file can hold a huge image),
and one wider or taller than ``PHOTO_MAX_SIDE`` is scaled down to it."""
import hashlib
import io

from flask import current_app

from grantportal.core.db import db
from grantportal.core.files import KINDS, StoredFile, UploadError, check_upload, save_bytes

PHOTO_EXTENSIONS = ("jpg", "jpeg", "png")


def without_metadata(ext, data, max_pixels=40_000_000, max_side=4096):
    """The photo's pixels as a new JPEG or PNG with no EXIF, GPS, XMP, ICC comment or text chunk. Raises
    ``UploadError`` for an image too large to decode safely."""
    from PIL import Image, ImageOps  # noqa: PLC0415 (deferred: only when a photo is uploaded)

    with Image.open(io.BytesIO(data)) as img:
        if img.width * img.height > max_pixels:
            raise UploadError(f"照片像素过大（{img.width}×{img.height}），请缩小后重新上传。")
        img = ImageOps.exif_transpose(img)
        if max(img.size) > max_side:
            img.thumbnail((max_side, max_side))
        out = io.BytesIO()
        if ext == "png":
            if img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                img = img.convert("RGBA")
            img.save(out, format="PNG", optimize=True)  # no pnginfo: text chunks are not written
        else:
            if img.mode != "RGB":
                img = img.convert("RGB")
            img.save(out, format="JPEG", quality=88, optimize=True)  # no exif=…: nothing but pixels
    return out.getvalue()


def store_photo(storage_file, user):
    """Check an uploaded photo (type, size, real image), strip what it says beyond its pixels and store that;
    returns the new ``StoredFile`` (its bytes go if the transaction rolls back)."""
    name, ext, data = check_upload(storage_file, PHOTO_EXTENSIONS)
    clean = without_metadata(ext, data, current_app.config["PHOTO_MAX_PIXELS"], current_app.config["PHOTO_MAX_SIDE"])
    record = StoredFile(storage_key=save_bytes(clean), original_name=name, extension=ext, content_type=KINDS[ext],
                        size=len(clean), sha256=hashlib.sha256(clean).hexdigest(),
                        uploaded_by_id=getattr(user, "id", None))
    db.session.add(record)
    return record

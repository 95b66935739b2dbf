"""Photos keep their pixels and lose what else they say: place (GPS), time, device (core/photos.py)."""
import io

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from grantportal.core.files import UploadError
from grantportal.core.photos import store_photo, without_metadata
from grantportal.core.storage import get_storage

GPS_IFD, ORIENTATION, MAKE, DATETIME = 0x8825, 0x0112, 0x010F, 0x0132


def phone_jpeg(width=64, height=32, orientation=1):
    """A JPEG as a phone writes it: GPS position, maker, time and an orientation tag."""
    img = Image.new("RGB", (width, height), (200, 30, 30))
    img.paste((20, 20, 220), (0, 0, width // 2, height))  # left half blue: shows which way is up
    exif = Image.Exif()
    exif[MAKE], exif[DATETIME], exif[ORIENTATION] = "ExamplePhone", "2026:12:01 08:30:00", orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (22.0, 31.0, 12.0), 3: "E", 4: (113.0, 22.0, 48.0)})
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(data, name="现场.jpg"):
    return FileStorage(stream=io.BytesIO(data), filename=name)


def test_a_phone_photo_is_stored_without_gps_time_or_device(app):
    original = phone_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo does carry a place
    with app.test_request_context():
        record = store_photo(upload(original), None)
        stored = get_storage().read(record.storage_key)
    img = Image.open(io.BytesIO(stored))
    assert not img.getexif() and "exif" not in img.info
    assert b"ExamplePhone" not in stored and b"2026:12:01" not in stored
    assert img.size == (64, 32) and record.size == len(stored) and record.original_name == "现场.jpg"


def test_a_photo_is_turned_upright_before_its_orientation_tag_goes():
    rotated = without_metadata("jpg", phone_jpeg(orientation=6))  # 6: the camera was turned 90°
    img = Image.open(io.BytesIO(rotated))
    assert img.size == (32, 64)
    r, g, b = img.convert("RGB").getpixel((16, 4))  # what was the blue left half is now on top
    assert b > 150 and r < 100


def test_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    info.add_text("Location", "中山市石岐街道幸福路88号")
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(out, format="PNG", pnginfo=info)
    clean = without_metadata("png", out.getvalue())
    assert "Location" not in Image.open(io.BytesIO(clean)).info and "幸福路".encode() not in clean


def test_huge_images_are_refused_and_large_ones_scaled_down():
    out = io.BytesIO()
    Image.new("L", (3000, 2000)).save(out, format="PNG")
    with pytest.raises(UploadError, match="像素过大"):
        without_metadata("png", out.getvalue(), max_pixels=5_000_000)
    smaller = Image.open(io.BytesIO(without_metadata("png", out.getvalue(), max_side=1500)))
    assert smaller.size == (1500, 1000)


def test_a_file_that_is_not_a_photo_is_refused_in_words(app):
    with app.test_request_context(), pytest.raises(UploadError, match="不支持该文件类型"):
        store_photo(upload(b"%PDF-1.4 ...", "现场.pdf"), None)
    with app.test_request_context(), pytest.raises(UploadError, match="不符或文件已损坏"):
        store_photo(upload(b"not a jpeg at all"), None)

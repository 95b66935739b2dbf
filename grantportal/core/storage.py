"""Files behind one storage interface: a local folder by default (outside the web root)."""
import os
import secrets
import shutil
from pathlib import Path

from flask import current_app


class LocalStorage:
    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        if "/" in key or "\\" in key or key.startswith("."):
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def save(self, data: bytes) -> str:
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:  # disk full, read-only: no half-written file left behind
            _remove(tmp)
            raise
        return key

    def save_from(self, source) -> str:
        """Store what a binary file object holds, copied in chunks (a file of any size, in flat memory)."""
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        try:
            with tmp.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
            os.replace(tmp, path)
        except OSError:  # disk full, read-only: no half-written file left behind
            _remove(tmp)
            raise
        return key

    def read(self, key) -> bytes:
        return self._path(key).read_bytes()

    def open(self, key):
        """The stored bytes as a binary file object, to be read in chunks (the caller closes it)."""
        return self._path(key).open("rb")

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)


def _remove(path):
    try:
        path.unlink(missing_ok=True)
    except OSError:  # a read-only folder: nothing was written there either
        pass


def get_storage():
    ext = current_app.extensions
    if "gp_storage" not in ext:
        ext["gp_storage"] = LocalStorage(current_app.config["STORAGE_DIR"])
    return ext["gp_storage"]

"""Digital signatures on the platform's PDFs (PAdES, with pyHanko): who issued a file, and that it is unchanged.

``core.pdf.render_pdf`` signs every PDF it renders with the bureau's certificate when one is configured, so a
stored document is the signed file and its recorded SHA-256 is the hash of the signed bytes. Any PDF reader
then shows the signer and whether the file changed since; ``/verify`` says the same with ``check_signature``.

Settings (``config.py``, the environment variables in brackets):
- ``SIGNING_KEY_FILE`` (``GRANTPORTAL_SIGNING_KEY_FILE``): the bureau's private key, PEM; its passphrase in
  ``SIGNING_KEY_PASSPHRASE`` (``GRANTPORTAL_SIGNING_KEY_PASSPHRASE``) when it is encrypted;
- ``SIGNING_CERT_FILE`` (``GRANTPORTAL_SIGNING_CERT_FILE``): the bureau's certificate, PEM, optionally followed
  by the intermediate certificates of its chain (all embedded in each signature);
- ``SIGNING_TRUST_ROOTS_FILE`` (``GRANTPORTAL_SIGNING_TRUST_ROOTS_FILE``): the root certificate(s) a signature
  must chain up to for ``/verify`` to call it 有效.
Unset, each defaults to the test CA's file in ``instance/signing/`` when ``flask documents make-test-ca`` has
made one (the demo and the tests do): ``flask doctor`` lists a missing or test certificate as blocking
production, because documents signed with it name no real issuer.

The signature is invisible (a PDF reader lists it in its signature panel) and keeps the file PDF/A-2b: the
widget has the print flag and a zero-size box, and pyHanko appends it as an incremental update. It is a
PAdES B-B signature (``ETSI.CAdES.detached``) without a timestamp authority: the signing time is the
platform's clock, and ``/verify`` validates the certificate at the time it is asked.
"""
import asyncio
import functools
import hashlib
import io
import logging
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app

from grantportal.config import SIGNING_TEST_FILES, SIGNING_TEST_FOLDER

log = logging.getLogger("grantportal.signing")
FIELD = "BureauSignature"
SIGNATURE_ROOM = 16 * 1024  # bytes for the CMS container: a 4096-bit key with a chain of three fits
TEST_CA_ORG = "grantportal 测试CA（仅供演示和测试，不得用于正式文书）"

VALID, INVALID, UNSIGNED = "valid", "invalid", "unsigned"
LABELS = {VALID: "有效", INVALID: "无效", UNSIGNED: "未签名"}


def configured(config=None):
    """True when the key and the certificate are both set and their files exist."""
    config = config if config is not None else current_app.config
    return all(config.get(s) and Path(config[s]).is_file() for s in ("SIGNING_KEY_FILE", "SIGNING_CERT_FILE"))


# --- signing ------------------------------------------------------------------------------------------

def _kept_key_signer_class():
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415 (deferred: importing pyHanko costs ~0.3 s)
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa  # noqa: PLC0415 (deferred, as above)
    from pyhanko.sign import signers  # noqa: PLC0415 (deferred, as above)
    from pyhanko.sign.general import get_pyca_cryptography_hash  # noqa: PLC0415 (deferred, as above)

    class KeptKeySigner(signers.SimpleSigner):
        """pyHanko's ``SimpleSigner`` re-reads the private key for every signature (an RSA key's consistency check
        costs ~65 ms, a third of a contract's rendering); this one keeps the key read once, for RSA (PKCS#1 v1.5)
        and ECDSA, and leaves other mechanisms to pyHanko."""

        _kept = None

        def sign_raw(self, data, digest_algorithm):
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if mechanism not in ("rsassa_pkcs1v15", "ecdsa"):
                return super().sign_raw(data, digest_algorithm)
            if self._kept is None:
                self._kept = serialization.load_der_private_key(self.signing_key.dump(), password=None)
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "ecdsa" and isinstance(self._kept, ec.EllipticCurvePrivateKey):
                return self._kept.sign(data, ec.ECDSA(hash_algo))
            if mechanism == "rsassa_pkcs1v15" and isinstance(self._kept, rsa.RSAPrivateKey):
                return self._kept.sign(data, padding.PKCS1v15(), hash_algo)
            return super().sign_raw(data, digest_algorithm)

    return KeptKeySigner


@functools.lru_cache(maxsize=4)
def _signer(key_file, cert_file, roots_file, passphrase, stamp):
    """The pyHanko signer for these files (cached: reading the key costs more than a signature; ``stamp`` holds
    the files' modification times, so a renewed certificate is picked up without a restart)."""
    from pyhanko.keys import load_private_key_from_pemder  # noqa: PLC0415 (deferred, as above)
    from pyhanko.sign.general import load_certs_from_pemder  # noqa: PLC0415 (deferred, as above)
    from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: PLC0415 (deferred, as above)

    try:
        key = load_private_key_from_pemder(key_file, passphrase=passphrase.encode() if passphrase else None)
        chain = list(load_certs_from_pemder([cert_file]))
        roots = list(load_certs_from_pemder([roots_file])) if roots_file else []
    except (OSError, ValueError, TypeError) as e:
        log.error("signing: cannot read the key or the certificate (%s)", type(e).__name__)
        raise SigningError("无法读取文书签名证书或私钥，请联系系统管理员检查签名配置。") from None
    return _kept_key_signer_class()(signing_cert=chain[0], signing_key=key,
                                    cert_registry=SimpleCertificateStore.from_certs(chain[1:] + roots))


class SigningError(Exception):
    """Signing refused or failed; the message is safe to show (Chinese, no internals)."""


def _current_signer(config):
    files = [config.get(s) for s in ("SIGNING_KEY_FILE", "SIGNING_CERT_FILE", "SIGNING_TRUST_ROOTS_FILE")]
    stamp = tuple(Path(f).stat().st_mtime_ns if f and Path(f).exists() else 0 for f in files)
    return _signer(*files, config.get("SIGNING_KEY_PASSPHRASE") or None, stamp)


def _outside_event_loop(func, *args, **kw):
    """``func(*args, **kw)``: pyHanko's synchronous calls run their coroutine with ``asyncio.run``, which refuses
    to start inside a thread whose event loop is running (a caller in an async server, or a test driving a browser
    with Playwright's sync API): there, the call runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kw)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args, **kw).result()


def sign_pdf(data, config=None):
    """``data`` signed with the bureau's certificate (PAdES B-B, SHA-256), or ``data`` unchanged when no
    certificate is configured."""
    config = config if config is not None else current_app.config
    if not configured(config):
        return data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415 (deferred, as above)
    from pyhanko.sign import fields, signers  # noqa: PLC0415 (deferred, as above)

    signer = _current_signer(config)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason="出具文书", location=config.get("BUREAU_NAME") or None)
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    # room for the CMS container reserved up front: otherwise pyHanko signs twice (a dry run to measure it)
    _outside_event_loop(signers.PdfSigner(meta, signer=signer).sign_pdf, writer, output=out,
                        bytes_reserved=SIGNATURE_ROOM)
    return out.getvalue()


# --- checking -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignatureCheck:
    """What ``/verify`` says of a file's signature: ``status`` (VALID / INVALID / UNSIGNED), the signer (the
    certificate's subject) and, for an invalid one, why (Chinese)."""

    status: str
    signer: str = ""
    issuer: str = ""
    signed_at: datetime | None = None
    reason: str = ""

    @property
    def label(self):
        return LABELS[self.status]

    @property
    def valid(self):
        return self.status == VALID


def _name(name):
    """A certificate name as a reader shows it: its common name, with the organization when different."""
    native = name.native
    common, org = native.get("common_name", ""), native.get("organization_name", "")
    if isinstance(org, list):
        org = "、".join(org)
    if common and org and org != common:
        return f"{common}（{org}）"
    return common or org or name.human_friendly


def _trust_roots(config):
    from pyhanko.sign.general import load_certs_from_pemder  # noqa: PLC0415 (deferred, as above)

    path = config.get("SIGNING_TRUST_ROOTS_FILE")
    return list(load_certs_from_pemder([path])) if path and Path(path).is_file() else []


# The same bytes checked against the same trust roots give the same answer until the clock matters (a certificate
# expiring): an answer is kept ``KEEP_SECONDS`` for ``KEEP`` files, so a document's page opened again, or the file
# a citizen uploads being the very file the platform issued, costs one validation (~50 ms) instead of each time.
KEEP, KEEP_SECONDS = 256, 600
_kept, _kept_lock = OrderedDict(), threading.Lock()


def _roots_version(config):
    path = config.get("SIGNING_TRUST_ROOTS_FILE")
    try:
        return path, os.stat(path).st_mtime_ns if path else None
    except OSError:
        return path, None


def check_signature(data, config=None):
    """The signature of the PDF ``data`` checked against the configured trust roots: 有效 when the file is
    exactly what was signed (nothing changed, nothing appended), the signature is cryptographically valid and the
    certificate chains up to a trust root; 未签名 when the file carries no signature; 无效 otherwise. The answer
    for the same bytes and roots is kept for a while (``KEEP_SECONDS``)."""
    config = config if config is not None else current_app.config
    key = (hashlib.sha256(data).digest(), _roots_version(config))
    now = time.monotonic()
    with _kept_lock:
        found = _kept.get(key)
        if found is not None and now - found[0] <= KEEP_SECONDS:
            _kept.move_to_end(key)
            return found[1]
    check = _check_signature(data, config)
    with _kept_lock:
        _kept[key] = (now, check)
        _kept.move_to_end(key)
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
    return check


def _check_signature(data, config):
    from pyhanko.pdf_utils.misc import PdfReadError  # noqa: PLC0415 (deferred, as above)
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415 (deferred, as above)
    from pyhanko.sign.validation import validate_pdf_signature  # noqa: PLC0415 (deferred, as above)
    from pyhanko.sign.validation.status import SignatureCoverageLevel  # noqa: PLC0415 (deferred, as above)
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415 (deferred, as above)

    if data[:1024].lstrip()[:5] != b"%PDF-":
        return SignatureCheck(UNSIGNED, reason="文件不是 PDF 文件，没有数字签名。")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError) as e:
        log.info("signature check: unreadable PDF (%s)", type(e).__name__)
        if b"/ByteRange" in data:
            return SignatureCheck(INVALID, reason="文件已损坏，无法读取其中的签名。")
        return SignatureCheck(UNSIGNED, reason="文件无法作为 PDF 读取，未找到签名。")
    if not signatures:
        return SignatureCheck(UNSIGNED, reason="文件中没有数字签名。")
    embedded = signatures[-1]
    try:
        cert = embedded.signer_cert
        signer, issuer = _name(cert.subject), _name(cert.issuer)
    except Exception:  # noqa: BLE001 (a damaged signature container: whatever pyHanko raises, the answer is 无效)
        return SignatureCheck(INVALID, reason="签名数据已损坏。")
    roots = _trust_roots(config)
    try:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        status = _outside_event_loop(validate_pdf_signature, embedded, context)
    except Exception:  # noqa: BLE001 (as above)
        log.info("signature check failed", exc_info=True)
        return SignatureCheck(INVALID, signer, issuer, reason="签名数据已损坏，无法核验。")
    signed_at = status.signer_reported_dt
    if not (status.intact and status.valid):
        reason = "文件在签名后被修改过（签名与文件内容不符）。"
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        reason = "签名之后文件又被追加修改过。"
    elif not roots:
        reason = "平台未配置签名信任根证书，无法确认签署者的证书。"
    elif not status.trusted:
        reason = "签署证书不是由平台信任的证书机构签发的，或已过期、被吊销。"
    else:
        return SignatureCheck(VALID, signer, issuer, signed_at)
    return SignatureCheck(INVALID, signer, issuer, signed_at, reason)


# --- the test CA (demo and tests) ---------------------------------------------------------------------

def is_test_certificate(path):
    """True when the certificate at ``path`` was issued by the test CA (``make_test_ca``)."""
    from cryptography import x509  # noqa: PLC0415 (deferred: only the doctor and the CLI read certificates)
    from cryptography.x509.oid import NameOID  # noqa: PLC0415 (as above)

    cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
    return any(a.value == TEST_CA_ORG for a in cert.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME))


def make_test_ca(instance, bureau_name, bureau_uscc="", years=10, ca_org=TEST_CA_ORG):
    """A local test CA and a bureau certificate it issued, in ``instance/signing/`` (kept when already there).
    For the demo and the tests only: the CA's organization name says so, and ``flask doctor`` refuses it (a test
    of the doctor names another ``ca_org`` to stand for a real CA). Returns the settings pointing at the files."""
    from cryptography import x509  # noqa: PLC0415 (as above)
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415 (as above)
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415 (as above)
    from cryptography.x509.oid import NameOID  # noqa: PLC0415 (as above)

    folder = Path(instance) / SIGNING_TEST_FOLDER
    files = {setting: folder / name for setting, name in SIGNING_TEST_FILES.items()}
    if all(p.exists() for p in files.values()):
        return {k: str(v) for k, v in files.items()}
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(minutes=5)
    until = now + timedelta(days=365 * years)

    def name(common, org, extra=()):
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), *extra,
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = name(f"{ca_org} 根证书" if ca_org != TEST_CA_ORG else "grantportal 测试根证书", ca_org)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(until)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    extra = [x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, bureau_uscc)] if bureau_uscc else []
    if ca_org == TEST_CA_ORG:
        extra.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "测试证书"))
    cert = (x509.CertificateBuilder().subject_name(name(bureau_name, bureau_name, extra)).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(until)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    key_bytes = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(files["SIGNING_KEY_FILE"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key_bytes)
    files["SIGNING_CERT_FILE"].write_bytes(cert.public_bytes(pem))
    files["SIGNING_TRUST_ROOTS_FILE"].write_bytes(ca.public_bytes(pem))
    return {k: str(v) for k, v in files.items()}

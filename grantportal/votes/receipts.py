"""Receipt codes and their published hashes (DESIGN.md §4 Public participation: "a receipt per vote and a published
list of receipt hashes so that anyone can recount and any voter can find their vote").

A receipt code is 12 characters drawn at random (``secrets``) from 31 that cannot be mistaken for one another
(no 0/O, 1/I/L): about 59 bits, shown in groups of four (``K7QM-3XRA-9PTC``). After the window the round publishes,
per vote, ``SHA-256(salt + ":" + code)`` in lower-case hex, with the round's salt: a voter finds their vote in the
list by hashing their own code, and nobody can go from a hash back to a code (or try all 2^59 of them), so the
list says nothing about who voted. ``normalize`` accepts what a person types or pastes: lower case, spaces,
hyphens, full-width characters."""
import hashlib
import ipaddress
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12
HASH_RULE = "SHA-256（盐值 + \":\" + 回执码），回执码为12位大写字母和数字，不含连字符；结果为64位小写十六进制"


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def new_salt():
    return secrets.token_hex(16)


def shown(code):
    """K7QM3XRA9PTC → K7QM-3XRA-9PTC."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalize(text):
    """The code as stored, from what was typed (None when it cannot be a code)."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    text = "".join(ch for ch in text if ch not in " -_\u3000")
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def receipt_hash(salt, code):
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def network_of(address):
    """The network block an address is in, for the per-network limits and the anomaly rules: the /24 of an IPv4
    address (a mapped IPv6 address counts as its IPv4 one), the /48 of an IPv6 address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))

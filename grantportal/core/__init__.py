"""Small shared pieces: database base, money, time, audit, storage, uploads, masking."""

"""The RSA key that signs id_tokens, and its JWKS form."""

from __future__ import annotations

import functools
import os
import typing as t
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SIGNING_ALGORITHM = "RS512"
KEY_FILE = "id_token_key.pem"


class SigningKey:
    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self.private_key = private_key
        public = private_key.public_key().public_numbers()
        # A short fingerprint of the modulus names the key in JWKS and token headers.
        self.key_id = format(public.n % (1 << 64), "016x")

    def jwks(self) -> dict[str, t.Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(
            self.private_key.public_key(), as_dict=True
        )
        jwk.update({"alg": SIGNING_ALGORITHM, "use": "sig", "kid": self.key_id})
        return {"keys": [jwk]}

    def sign(self, claims: dict[str, t.Any]) -> str:
        return jwt.encode(
            claims,
            self.private_key,
            algorithm=SIGNING_ALGORITHM,
            headers={"kid": self.key_id},
        )


def load_signing_key(state_dir: Path | None) -> SigningKey:
    """Load the key kept in ``state_dir``, or make one (and keep it there)."""
    if state_dir is None:
        return _process_key()
    path = state_dir / KEY_FILE
    if path.exists():
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not contain an RSA private key")
        return SigningKey(loaded)
    # A new state folder keeps the process's key, which is as good as a new one.
    key = _process_key().private_key
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(pem)
    return SigningKey(key)


@functools.lru_cache(maxsize=1)
def _process_key() -> SigningKey:
    # Sandboxes share one key per process, because making an RSA key takes tens of
    # milliseconds and tests start many sandboxes.
    return SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))

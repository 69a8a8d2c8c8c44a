"""edge-jwt for Python: JWT verification with jose's rules and error codes, from the same Rust core
as the edge-jwt npm package, with native crypto (``ring``) for the signatures.

>>> import edge_jwt
>>> edge_jwt.verify(token, jwks, issuer="https://app.example.com")  # doctest: +SKIP
"""

from . import errors
from ._native import KeySet
from ._verify import VerifiedToken, averify, verify
from .remote import RemoteKeySet

__all__ = ["KeySet", "RemoteKeySet", "VerifiedToken", "averify", "errors", "verify"]
__version__ = "0.1.0"

"""REST handlers of the Jupyter server extension, one module per resource."""

from __future__ import annotations

# Paths under the server's base_url. The REST API lives under NAMESPACE; in sandbox
# mode the sandbox's browser pages are proxied under SANDBOX_NAMESPACE.
NAMESPACE = "tunel/globus/"
SANDBOX_NAMESPACE = "tunel/sandbox/"

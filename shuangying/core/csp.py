"""Content-Security-Policy on every response: scripts and style sheets only from this server.

No inline script, no eval, no inline <style> element: the behaviour of every page lives in
static files, so an injected <script> (a name typed into a form, a ledger cell) cannot run.
Style *attributes* stay allowed (`style-src-attr`): they cannot run code, and the templates
use them for one-off layout. A page that really cannot avoid an inline element adds
``nonce="{{ request.csp_nonce }}"``; the nonce is generated only when a template reads it.

Set ``SHUANGYING_CSP_REPORT_ONLY = True`` to try a tighter policy without breaking pages."""

import secrets

from django.conf import settings
from django.utils.functional import SimpleLazyObject

DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def build_policy(nonce: str | None = None) -> str:
    parts = []
    for name, sources in DIRECTIVES.items():
        if nonce and name in {"script-src", "style-src"}:
            sources = [*sources, f"'nonce-{nonce}'"]
        parts.append(" ".join([name, *sources]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        generated = []

        def make_nonce():
            generated.append(secrets.token_urlsafe(16))
            return generated[0]

        request.csp_nonce = SimpleLazyObject(make_nonce)
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "SHUANGYING_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        if header not in response:
            response[header] = build_policy(generated[0] if generated else None)
        return response

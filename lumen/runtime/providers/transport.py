"""One HTTP exchange for the providers that speak HTTP, with failures mapped to the §12.4
kinds: refused connections -> ProviderUnavailable, time-outs -> Timeout, and (for model APIs)
401/403 -> AuthError, 404 -> ModelNotFound, 429 -> RateLimit with Retry-After, 5xx ->
ProviderUnavailable, other 4xx -> InvalidArgs.

Every text that came from the server passes through `redact` so an API key echoed back in
an error body never reaches a message.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from lumen.runtime.calls import ToolError
from lumen.runtime.providers.base import (
    RateLimitError,
    elapsed_ms,
    execution_failed,
    invalid_args,
    redact,
    timeout_error,
    unavailable,
)

_ERROR_BODY_CHARS = 200


@dataclass
class HttpAnswer:
    status: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


_shared_client: Any = None
_shared_client_lock = threading.Lock()


def _client() -> Any:
    """One httpx client per process: its pool keeps connections alive, and the first one
    costs a few hundred milliseconds (imports, TLS trust store) that a run pays only once.
    trust_env=False: proxy variables must not reroute calls meant for a local server."""
    global _shared_client
    with _shared_client_lock:
        if _shared_client is None:
            import httpx

            _shared_client = httpx.Client(trust_env=False, follow_redirects=False)
        return _shared_client


def exchange(
    provider: str,
    method: str,
    url: str,
    *,
    timeout_ms: int,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    content: str | bytes | None = None,
    secrets: list[str] | None = None,
) -> HttpAnswer:
    """Send one request; transport failures become ToolErrors, any status is returned."""
    import httpx  # here, not at the top: programs using only fs/env/crypto never pay for it

    secrets = secrets or []
    started = time.monotonic()
    try:
        response = _client().request(method, url, headers=headers, json=json_body,
                                     content=content, timeout=timeout_ms / 1000)
    except httpx.TimeoutException:
        raise timeout_error(elapsed_ms(started), timeout_ms) from None
    except httpx.UnsupportedProtocol:
        raise invalid_args(f"unsupported URL {redact(url, secrets)!r}") from None
    except httpx.InvalidURL:
        raise invalid_args(f"invalid URL {redact(url, secrets)!r}") from None
    except httpx.HTTPError as error:
        reason = redact(f"{type(error).__name__} at {url}: {error}", secrets)
        raise unavailable(provider, reason) from None
    except (ValueError, TypeError) as error:  # a body or header httpx cannot encode
        raise invalid_args(f"cannot send the request: {redact(str(error), secrets)}") from None
    return HttpAnswer(
        status=response.status_code,
        text=redact(response.text, secrets),
        headers={k.lower(): redact(v, secrets) for k, v in response.headers.items()},
    )


def retry_after_ms(value: str | None) -> int | None:
    """Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0, int(float(value) * 1000))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int((when.timestamp() - time.time()) * 1000))


def server_error_text(answer: HttpAnswer) -> str:
    """The most useful short text of an error answer (`error.message` of the common APIs)."""
    try:
        body = answer.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"][:_ERROR_BODY_CHARS]
        if isinstance(error, str):
            return error[:_ERROR_BODY_CHARS]
    text = answer.text.strip().replace("\n", " ")
    return text[:_ERROR_BODY_CHARS] or f"HTTP {answer.status}"


def check_model_api_status(answer: HttpAnswer, provider: str, model: str) -> None:
    """Raise the ToolError a model API's non-2xx answer stands for."""
    status = answer.status
    if status < 400:
        return
    detail = server_error_text(answer)
    if status in (401, 403):
        raise ToolError(
            "AuthError",
            f"authentication failed: {provider} answered HTTP {status} ({detail})",
            "check the API key in the environment variable named by api_key_env",
        )
    if status == 404:
        raise ToolError(
            "ModelNotFound",
            f"model not found: {model} (provider: {provider})",
            f"the server said: {detail}; check model/default_model and base_url",
        )
    if status == 429:
        raise RateLimitError(
            f"rate limit exceeded: {provider} answered HTTP 429 ({detail})",
            "lower the request rate or raise max_retries/max_delay_ms in the retry table",
            retry_after_ms(answer.headers.get("retry-after")),
        )
    if status >= 500:
        raise unavailable(provider, f"HTTP {status}: {detail}")
    raise invalid_args(f"{provider} rejected the request with HTTP {status}: {detail}")


def json_body(answer: HttpAnswer, provider: str) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        raise execution_failed(
            f"{provider} answered with a body that is not JSON: {answer.text[:_ERROR_BODY_CHARS]!r}"
        ) from None
    if not isinstance(body, dict):
        raise execution_failed(f"{provider} answered with JSON that is not an object")
    return body

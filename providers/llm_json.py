"""Shared handling of the JSON LLM calls of resume parsing, interview reports and job
drafts: which failures are worth retrying, how long to wait, and how
to get a JSON object out of a small model's reply.

Self-hosted models wrap JSON in code fences, add text after it, or stop
mid-object at `max_tokens`; the messages here never carry an API key.
"""

import json
import random
import re
from email.utils import parsedate_to_datetime

import json_repair
import openai
from django.utils import timezone

JSON_MODE = {"type": "json_object"}


def structured_output(name, schema):
    """A response_format that constrains the reply to `schema`.

    vLLM, llama.cpp and Ollama compile it into a grammar, so even a small
    model returns the right shape, and bounded lists and strings keep it from
    repeating itself until max_tokens.
    """
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def create_json_completion(client, *, schema_name, schema, **request):
    """chat.completions.create with the reply constrained to `schema`.

    A server that rejects json_schema (HTTP 400 about response_format) is asked
    again in plain JSON mode; the caller validates the reply either way.
    """
    try:
        return client.chat.completions.create(
            response_format=structured_output(schema_name, schema), **request
        )
    except openai.BadRequestError as exc:
        if "response_format" not in str(exc) and "json_schema" not in str(exc):
            raise
    return client.chat.completions.create(response_format=JSON_MODE, **request)


def json_completion(
    client,
    *,
    profile,
    schema_name,
    schema,
    system,
    user,
    temperature,
    max_tokens,
    timeout,
    timeout_setting,
):
    """One schema-constrained request to the profile's LLM (see create_json_completion),
    its failures raised as TransientLLMError or PermanentLLMError (see classify)."""
    try:
        return create_json_completion(
            client,
            schema_name=schema_name,
            schema=schema,
            model=profile.llm_model,
            messages=[
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            temperature=temperature,
            max_tokens=max_tokens,
        )
    except openai.APIError as exc:
        raise classify(
            exc, profile=profile, timeout=timeout, timeout_setting=timeout_setting
        ) from None


def text_field(max_length):
    return {"type": "string", "maxLength": max_length}


def list_field(items, max_items):
    return {"type": "array", "items": items, "maxItems": max_items}


def object_field(properties, *, required=None):
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


class TransientLLMError(Exception):
    """Worth retrying later: connection refused, timeout, 429, 5xx."""

    def __init__(self, message, *, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentLLMError(Exception):
    """Retrying cannot help: wrong key, unknown model, rejected request."""


class InvalidReply(Exception):
    """The model answered, but not with a usable JSON object."""


def classify(exc, *, profile, timeout, timeout_setting):
    """A Transient or Permanent error with a plain message for an openai exception.

    `timeout_setting` names the environment variable that sets `timeout`, so the message
    can say how to raise it.
    """
    if isinstance(exc, openai.APITimeoutError):
        return TransientLLMError(
            f"The model server at {profile.llm_base_url} did not answer within {timeout} "
            "seconds. Check that it is running and not busy with other work (its own log "
            f"shows the queue), or allow it longer with {timeout_setting}."
        )
    if isinstance(exc, openai.APIConnectionError):
        return TransientLLMError(f"Could not reach the model server at {profile.llm_base_url}.")
    if not isinstance(exc, openai.APIStatusError):
        return PermanentLLMError(
            f"The model server's reply could not be read: {_clean(exc, profile)}"
        )
    status = exc.status_code
    detail = _clean(_server_message(exc), profile)
    if status == 429:
        return TransientLLMError(
            "The model server is busy (HTTP 429, too many requests).",
            retry_after=retry_after_seconds(exc.response.headers.get("retry-after")),
        )
    if status >= 500 or status == 408:
        return TransientLLMError(f"The model server had an error (HTTP {status}): {detail}")
    if status in (401, 403):
        return PermanentLLMError(
            f"The model server refused the API key (HTTP {status}). An admin must check the "
            f"LLM API key of the profile \u201c{profile.name}\u201d."
        )
    if status == 404:
        return PermanentLLMError(
            f"The model server has no model \u201c{profile.llm_model}\u201d or no chat endpoint "
            f"at {profile.llm_base_url} (HTTP 404). An admin must check the profile."
        )
    return PermanentLLMError(f"The model server rejected the request (HTTP {status}): {detail}")


def _server_message(exc):
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return exc.message


def _clean(message, profile):
    # Some servers echo the key they refused; it must not reach a page or a log.
    text = str(message)[:300]
    if profile.llm_api_key:
        text = text.replace(profile.llm_api_key, "[key]")
    return text


def retry_after_seconds(value):
    """Seconds from a Retry-After header (a number or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - timezone.now()).total_seconds())
    except (TypeError, ValueError):
        return None


def backoff_seconds(failures, retry_after=None, *, base, ceiling):
    """Exponential backoff with equal jitter; never sooner than the server asked."""
    delay = min(ceiling, base * 2 ** (failures - 1))
    delay = delay / 2 + random.uniform(0, delay / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, ceiling))
    return delay


_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```\s*$")


def json_object_from_reply(content):
    """(dict, repaired) from a reply; fences and text around the object are ignored.

    A reply cut off mid-object is repaired (and says so); raises InvalidReply
    when there is no object at all.
    """
    text = (content or "").strip()
    if not text:
        raise InvalidReply("the reply was empty")
    text = _FENCE.sub("", text).strip()
    start = text.find("{")
    if start < 0:
        raise InvalidReply("the reply contained no JSON object")
    end = _matching_brace(text, start)
    candidate = text[start : end + 1] if end is not None else text[start:]
    repaired = False
    try:
        if end is None:
            raise ValueError("cut off")
        data = json.loads(candidate)
    except ValueError:
        data = json_repair.loads(candidate)
        repaired = True
    if not isinstance(data, dict):
        raise InvalidReply("the reply was not a JSON object")
    return data, repaired


def _matching_brace(text, start):
    """Index of the brace closing the object that opens at `start`, or None if cut off."""
    depth = 0
    in_string = escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    return None

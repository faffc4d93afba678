"""The LLM client: every model call goes through here, and this is the only module that imports
`openai` and `instructor`. The stages (`extract`, `compose`, `judge`) see only `LLMClient.ask`.

* Every call renders fresh messages from `prompts/*.j2`, with source text passed as variables, and
  asks instructor for a response model built for that call (`briefer.answers`), whose validators
  know the call's sentences or ids. instructor gets no `context=`, so it never templates our text.
* Two retry layers, each for one thing. instructor re-asks only when the answer fails validation
  (a tenacity `Retrying` limited to validation errors). Transport failures (429, 5xx, timeouts,
  connection errors) are retried here, once per HTTP request, with exponential backoff, jitter and
  `Retry-After`; the openai client itself is built with `max_retries=0`, so nothing retries twice.
* Every HTTP attempt passes through `_send`, which reserves the call's worst-case cost against
  `--max-cost` first and records its tokens in the ledger after. `_send` is also where the response
  cache (`briefer.cache`) answers an identical earlier request: a hit is no call, no tokens, no cost.
* What differs between providers and model families (token parameters, temperature, the default
  mode, prices) is data in `providers.toml`, read through `quirks`.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from briefer.core.errors import BrieferError, ConfigError, ProviderError
from briefer.engines.llm import quirks
from briefer.engines.llm.answers import Final, problem_of
from briefer.engines.llm.cache import AnswerStore, open_cache, request_key
from briefer.engines.llm.credentials import redact, url_secrets, without_credentials
from briefer.engines.llm.deadline import AttemptTimeout, Cancelled, bounded, interruptible_sleep, retry_after
from briefer.engines.llm.ledger import Ledger, estimate_tokens, price_for
from briefer.engines.llm.parallel import run_bounded
from briefer.engines.llm.progress import Progress
from briefer.engines.llm.prompts import load_prompts
from briefer.engines.llm.quirks import Stage
from briefer.engines.llm.settings import Settings
from briefer.engines.llm.sizing import InvalidAnswer, Refused, Sizing, cut_off, worst_case
from briefer.engines.llm.tokens import Estimator, context_window, estimator_for
from briefer.engines.llm.vet import vet

if TYPE_CHECKING:
    import instructor
    import openai
    from instructor.core import exceptions as instructor_errors
    from instructor.core import hooks as instructor_hooks

    from briefer.engines.llm.batchapi import BatchQueue
else:

    class _Lazy:
        """A module imported on first use: openai and instructor take about a second to import, and
        `--engine auto` with no endpoint configured (an offline run) should not pay for that."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attr: str) -> Any:
            return getattr(importlib.import_module(self._name), attr)

    openai, instructor = _Lazy("openai"), _Lazy("instructor")
    instructor_errors, instructor_hooks = _Lazy("instructor.core.exceptions"), _Lazy("instructor.core.hooks")

log = logging.getLogger("briefer")


def import_sdks() -> None:
    """Import openai and instructor now. Topics briefed side by side in threads would otherwise all
    import them at once on their first call, queueing on the import lock (about 3 s lost per run)."""
    for name in ("openai", "instructor", "instructor.core.exceptions", "instructor.core.hooks"):
        importlib.import_module(name)


M = TypeVar("M", bound=BaseModel)


def reaskable() -> tuple[type[Exception], ...]:
    """The only errors instructor may re-ask for: answers that do not parse or do not validate."""
    return (ValidationError, json.JSONDecodeError, instructor_errors.ResponseParsingError)


def make_client(s: Settings) -> openai.OpenAI:
    """An OpenAI or Azure client that never retries on its own (retries live in `_with_retries`)."""
    key = s.api_key.get_secret_value() if s.api_key else None
    if s.azure_endpoint:
        endpoint, auth = without_credentials(s.azure_endpoint)
        if not key:
            raise ConfigError("AZURE_OPENAI_ENDPOINT is set but no key: set AZURE_OPENAI_API_KEY")
        return openai.AzureOpenAI(
            azure_endpoint=endpoint,
            default_headers=auth or None,
            api_key=key,
            api_version=s.api_version or quirks.azure_api_version(),
            timeout=s.timeout,
            max_retries=0,
        )
    # Local servers need no key, but the client insists on one.
    base_url, auth = without_credentials(s.base_url or quirks.default_base_url())
    return openai.OpenAI(
        api_key=key or "not-needed",
        base_url=base_url,
        default_headers=auth or None,
        timeout=s.timeout,
        max_retries=0,
    )


# --- transport errors ----------------------------------------------------------------------------


def transient(e: BaseException) -> bool:
    """Worth retrying: rate limits, server errors, timeouts, dropped connections, empty answers."""
    if isinstance(e, openai.APIConnectionError | EmptyAnswer | AttemptTimeout):  # incl. APITimeoutError
        return True
    return isinstance(e, openai.APIStatusError) and (e.status_code in (408, 409, 429) or e.status_code >= 500)


def describe(e: BaseException, endpoint: str, secret: str | None = None) -> str:
    """One line about a transport error, without credentials."""
    if isinstance(e, openai.APITimeoutError | AttemptTimeout):
        return f"timed out waiting for {endpoint}"
    if isinstance(e, openai.APIConnectionError):
        return f"could not connect to {endpoint}"
    if isinstance(e, openai.AuthenticationError):
        return f"{endpoint} rejected the API key (HTTP 401); check OPENAI_API_KEY or AZURE_OPENAI_API_KEY"
    if isinstance(e, openai.APIStatusError):
        body = e.body.get("error", e.body) if isinstance(e.body, dict) else None
        detail = body.get("message") if isinstance(body, dict) else None
        detail = redact(str(detail or e.message or ""), secret)
        detail = detail if len(detail) <= 160 else detail[:157] + "..."
        return f"HTTP {e.status_code} from {endpoint}" + (f": {detail}" if detail else "")
    return redact(f"{type(e).__name__}: {e}", secret)


# --- the client ----------------------------------------------------------------------------------


@dataclass
class _CallState:
    """Per structured call: how many answers came back, so validators know the last attempt."""

    attempts: int
    responses: int = 0

    def final(self) -> bool:
        return self.responses >= self.attempts


class LLMClient(Sizing):
    """Structured calls to one endpoint and model, with the prompts, the ledger and the cache of a run."""

    def __init__(
        self,
        settings: Settings,
        sdk: openai.OpenAI | None = None,
        sleep: Callable[[float], None] | None = None,
        cache: AnswerStore | None = None,
        limiter: AbstractContextManager[Any] | None = None,
        estimator: Estimator | None = None,
    ) -> None:
        self.settings = settings
        # Set by whoever stops the run: no request is sent after it (a batch's `RunLimit` shares one).
        self.cancel: threading.Event = getattr(limiter, "cancel", None) or threading.Event()
        self.model = settings.model
        self.prompts = load_prompts()
        self.prompt_hash = self.prompts.hash
        self.estimate: Estimator = estimator or estimator_for(settings.model)  # text -> tokens
        self.window = context_window(settings.model, settings.context_window)
        price = price_for(settings.model, settings.prices)
        if price is None and settings.max_cost is not None:
            raise ConfigError(
                f"--max-cost needs a price for model {settings.model}; add one with --price-table "
                '(TOML: ["<model>"] input = 0.15, output = 0.60, in USD per 1M tokens)'
            )
        if price is None:
            log.warning(
                "no price known for model %s; its cost is counted as $0 (see --price-table)", settings.model
            )
        self.ledger = Ledger(settings.model, price, settings.max_cost)
        self._client = sdk or make_client(settings)
        self._mode = getattr(instructor.Mode, settings.resolved_mode.upper())  # TOOLS, JSON_SCHEMA, JSON
        self._sleep = sleep or interruptible_sleep(self.cancel)
        self._secret = settings.api_key.get_secret_value() if settings.api_key else None
        self._secrets = tuple(
            x
            for x in (self._secret, *url_secrets(settings.base_url), *url_secrets(settings.azure_endpoint))
            if x and len(x) >= 6
        )
        self._owns_cache = cache is None  # a cache handed in stays open for its owner
        self._cache = cache if cache is not None else _open_cache(settings)
        self._retries_seen: set[tuple[str, str]] = set()  # (stage, failure) already logged at INFO
        self._retries_lock = threading.Lock()
        # One limit on requests in flight shared by every topic of a `briefer batch --jobs N` run, so
        # `--concurrency` holds for the whole run, not per topic (None: this client's pool is the limit).
        self._limiter = limiter or nullcontext()
        # Set while a run goes through the provider's Batch API (`batchapi.through_batch_api`).
        self.batch: BatchQueue | None = None

    def close(self) -> None:
        """Release what the run held: the response cache's connection (when this client opened it)."""
        if self._cache is not None and self._owns_cache:
            self._cache.close()
            self._cache = None

    def ask(
        self, stage: Stage, template: str, variables: dict[str, Any], answer: Callable[[Final], type[M]]
    ) -> M:
        """One structured call: `template` rendered with `variables`, the answer validated by the model
        `answer(final)` builds (`final` tells its validators whether an attempt is the last), re-asked
        up to `--reasks` times. Raises `InvalidAnswer` when no attempt validates."""
        state = _CallState(self.settings.reasks + 1)
        return self._ask(stage, template, variables, answer(state.final), state)

    def parallel(self, tasks: list[Callable[[], Any]], progress: str | None = None) -> list[Any]:
        """Run calls concurrently, at most `--concurrency` at a time (see `run_bounded`); with
        `progress` (what a task is, e.g. "extraction calls"), log progress as they finish. While a
        stage's requests are being gathered for the Batch API every task runs, so the batch holds all."""
        if self.batch is not None:
            return self.batch.gather(tasks)
        if progress and len(tasks) > 1:
            meter = Progress(self.ledger, len(tasks), progress)

            def counted(task: Callable[[], Any]) -> Any:
                result = task()
                meter.tick()
                return result

            tasks = [partial(counted, t) for t in tasks]
        return run_bounded(tasks, self.settings.concurrency, cancel=self.cancel)

    def _ask(
        self,
        stage: Stage,
        template: str,
        variables: dict[str, Any],
        response_model: type[M],
        state: _CallState,
    ) -> M:
        """One structured call. Messages are built fresh here, so nothing a re-ask appends leaks."""
        messages = [
            {"role": "system", "content": self.prompts.render("system.j2")},
            {"role": "user", "content": self.prompts.render(template, **variables)},
        ]
        create = instructor.patch(create=partial(self._send, stage, state), mode=self._mode)
        hooks = instructor_hooks.Hooks()
        hooks.on("parse:error", partial(self._on_invalid, stage, state))
        reasks = Retrying(
            stop=stop_after_attempt(state.attempts), retry=retry_if_exception_type(reaskable()), reraise=True
        )
        try:
            return create(
                response_model=response_model,
                messages=messages,
                max_retries=reasks,
                strict=False,
                hooks=hooks,
                model=self.model,
                **self._limits(stage),
            )
        except instructor_errors.InstructorRetryException as e:
            cause = e.__cause__
            if isinstance(cause, BrieferError):
                raise cause from None
            if isinstance(cause, instructor_errors.IncompleteOutputException):
                raise cut_off(stage) from None
            if isinstance(cause, reaskable()):
                raise InvalidAnswer(
                    f"the model gave no valid {stage} answer in {e.n_attempts} attempts: "
                    f"{redact(problem_of(cause), self._secret)[:200]}"
                ) from None
            raise ProviderError(
                redact(f"{stage} call failed: {type(cause).__name__}: {cause}", self._secret)
            ) from None
        except instructor_errors.IncompleteOutputException:
            raise cut_off(stage) from None

    def _on_invalid(self, stage: Stage, state: _CallState, error: Exception, **meta: Any) -> None:
        """instructor's `parse:error` hook: the answer failed validation and will be re-asked."""
        if state.final():
            return  # nothing is re-asked after the last attempt
        self.ledger.count_reask()
        log.info("%s answer failed validation on attempt %d; re-asking", stage, state.responses)
        log.debug("%s validation problems: %s", stage, error)

    def _limits(self, stage: Stage) -> dict[str, Any]:
        return quirks.limits(self.model, stage)  # e.g. reasoning models reject max_tokens and temperature

    def _send(self, stage: Stage, state: _CallState, *args: Any, **kwargs: Any) -> Any:
        """The function instructor calls for every attempt: cache, budget check, HTTP with retries, ledger."""
        key = self._cache_key(kwargs)
        if self.batch is not None and key is not None:
            body = self.batch.answered(key)  # answered through the Batch API in this run: counted there
            if body is not None:
                state.responses += 1
                return openai.types.chat.ChatCompletion.model_validate_json(body)
        cached = self._cached(key)
        if cached is not None:  # vetted too: the Batch API's answers reach the run only this way
            self.ledger.count_hit()
            state.responses += 1
            return self._vetted(stage, kwargs, cached)
        chars, max_tokens = worst_case(kwargs)
        self._check_fits(stage, kwargs, max_tokens)
        if self.batch is not None and key is not None:
            self.batch.defer(stage, key, kwargs)  # raises Deferred unless this request is to go live
        reserved = self.ledger.reserve(stage, chars, max_tokens)
        try:
            response = self._with_retries(stage, lambda: self._limited(*args, **kwargs))
        finally:
            self.ledger.release(reserved)
        response = self._vetted(stage, kwargs, response)
        self.ledger.settle(stage, getattr(response, "usage", None), estimate_tokens(chars), max_tokens)
        state.responses += 1
        if refused := _refusal(response):
            raise Refused(f"the model declined the {stage} call: {redact(refused, self._secret)[:160]}")
        if key and self._cache and _complete(response):
            self._cache.put(key, response.model_dump_json(), model=self.model, prompt_hash=self.prompt_hash)
        return response

    def _vetted(self, stage: Stage, request: dict[str, Any], response: Any) -> Any:
        """The answer with echoed secrets masked and unencodable text replaced; an answer that calls
        an unknown tool or holds a lone surrogate is made invalid, so instructor re-asks (`vet`)."""
        if not isinstance(response, openai.types.chat.ChatCompletion):
            return response
        tools = request.get("tools") or []
        tool = tools[0].get("function", {}).get("name") if tools else None
        data, problem = vet(response.model_dump(), tool, self._secrets)
        if problem:
            log.info("%s answer is invalid: %s", stage, problem)
        return openai.types.chat.ChatCompletion.model_validate(data)

    def _limited(self, *args: Any, **kwargs: Any) -> Any:
        """One HTTP attempt, holding a slot of the run's shared limit (if any) only while it is sent and
        waited for: an attempt abandoned at its deadline or on a stop gives its slot back at once."""
        with self._limiter:
            create = partial(self._client.chat.completions.create, *args, **kwargs)
            return _answered(bounded(create, self.settings.timeout, self.cancel))

    def remember(self, key: str, body: str) -> None:
        """Store an answer that came another way (the Batch API) in the response cache."""
        if self._cache is not None:
            self._cache.put(key, body, model=self.model, prompt_hash=self.prompt_hash)

    @property
    def sdk(self) -> Any:
        """The openai client, for the Batch API's file and batch endpoints (`batchapi`)."""
        return self._client

    def _cache_key(self, request: dict[str, Any]) -> str | None:
        """The request's cache key: the exact request plus what changes an answer outside it."""
        if self._cache is None:
            return None
        s = self.settings
        where = {"endpoint": s.endpoint_label(), "api_version": s.api_version, "mode": s.resolved_mode}
        return request_key(request, prompt_hash=self.prompt_hash, settings=where)

    def _cached(self, key: str | None) -> Any:
        """A stored response for `key` (never with --refresh), or None; one that no longer parses is a miss."""
        if key is None or self._cache is None or self.settings.cache == "refresh":
            return None
        body = self._cache.get(key)
        if body is None:
            return None
        try:
            return openai.types.chat.ChatCompletion.model_validate_json(body)
        except ValidationError:
            self._cache.discard(key)
            return None

    def _with_retries(self, stage: Stage, call: Callable[[], Any]) -> Any:
        s = self.settings
        backoff = wait_exponential_jitter(
            initial=s.retry_base_delay, max=s.retry_max_delay, jitter=s.retry_base_delay
        )

        def wait_for(rs: RetryCallState) -> float:
            asked = retry_after(rs.outcome.exception() if rs.outcome else None)
            return min(asked if asked is not None else backoff(rs), s.retry_max_delay)

        def before_sleep(rs: RetryCallState) -> None:
            """One INFO line per kind of failure and stage (30 documents against a dead endpoint are
            one line, not 63); each repeat at DEBUG (-v)."""
            error = rs.outcome.exception() if rs.outcome else None
            wait_s = rs.next_action.sleep if rs.next_action else 0.0
            failure = describe(error, s.endpoint_label(), self._secret) if error else "error"
            with self._retries_lock:
                first = (stage, failure) not in self._retries_seen
                self._retries_seen.add((stage, failure))
            log.log(
                logging.INFO if first else logging.DEBUG,
                "%s call: %s; retrying in %.2fs (attempt %d of %d)%s",
                stage,
                failure,
                wait_s,
                rs.attempt_number + 1,
                s.max_attempts,
                "; further retries after this failure are logged with -v" if first else "",
            )

        retrying = Retrying(
            stop=stop_after_attempt(s.max_attempts),
            wait=wait_for,
            retry=retry_if_exception(transient),
            before_sleep=before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    if self.cancel.is_set():
                        raise Cancelled("stopped before the request was sent")
                    self.ledger.count_attempt()
                    result = call()  # `_limited`: bounded by --timeout, abandoned on a stop
        except AttemptTimeout:
            n, where = s.max_attempts, s.endpoint_label()
            raise ProviderError(
                f"the model endpoint failed after {n} attempt{'s' * (n != 1)}: timed out waiting for "
                f"{where} (no complete answer within --timeout {s.timeout:g}s)"
            ) from None
        except EmptyAnswer as e:
            n = s.max_attempts
            raise ProviderError(f"the model endpoint failed after {n} attempt{'s' * (n != 1)}: {e}") from None
        except openai.APIError as e:
            where = s.endpoint_label()
            if transient(e):
                n = s.max_attempts
                raise ProviderError(
                    f"the model endpoint failed after {n} attempt{'s' * (n != 1)}: {describe(e, where, self._secret)}"
                ) from None
            raise ProviderError(
                f"the model endpoint refused the {stage} call: {describe(e, where, self._secret)}"
            ) from None
        return result


def parse_completion(body: str) -> Any:
    """A stored chat completion, or None when it does not parse (the Batch API's answers)."""
    try:
        return openai.types.chat.ChatCompletion.model_validate_json(body)
    except ValidationError:
        return None


def cacheable(response: Any) -> bool:
    """Whether an answer may go into the response cache (a whole answer, not refused)."""
    return _complete(response)


def _open_cache(s: Settings) -> AnswerStore | None:
    return None if s.cache == "off" else open_cache(s.cache_dir)


class EmptyAnswer(Exception):
    """A 200 response with no choices: a server fault, retried like a 5xx."""


def _answered(response: Any) -> Any:
    if isinstance(response, openai.types.chat.ChatCompletion) and not response.choices:
        raise EmptyAnswer("it returned no answer (an empty choices list)")
    return response


def _refusal(response: Any) -> str | None:
    """The refusal text of a chat completion that declined to answer, else None (servers that send an
    empty `refusal` with every answer have not refused)."""
    choices = getattr(response, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    refusal = getattr(message, "refusal", None)
    return " ".join(refusal.split()) or None if isinstance(refusal, str) else None


def _complete(response: Any) -> bool:
    """Worth caching: a whole answer, not one cut off at the token limit or refused, so a fault is
    never replayed from the cache on the next run."""
    return (
        isinstance(response, openai.types.chat.ChatCompletion)
        and bool(response.choices)
        and response.choices[0].finish_reason in ("stop", "tool_calls")
        and _refusal(response) is None
    )

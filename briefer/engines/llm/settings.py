"""Settings for the LLM engine: flags > environment > config file > defaults.

The config file is optional TOML at `$BRIEFER_CONFIG` or `<user config dir>/briefer/config.toml`.
API keys come only from the environment and are held as `SecretStr`, so they never reach a log line,
an error message or the JSON output. Every value remembers where it came from (`sources`), so the
engine can say why it ran ("OPENAI_BASE_URL is set").
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from briefer.core.errors import ConfigError, problems
from briefer.engines.llm import quirks
from briefer.engines.llm.quirks import LLMMode

DEFAULT_MODEL = "gpt-4o-mini"


class Price(BaseModel):
    """USD per one million tokens."""

    model_config = ConfigDict(extra="forbid")
    input: float = Field(ge=0)
    output: float = Field(ge=0)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: SecretStr | None = None
    azure_endpoint: str | None = None
    api_version: str | None = None
    timeout: float = Field(default=120.0, gt=0)
    concurrency: int = Field(default=20, ge=1, le=64)
    mode: LLMMode | None = None  # None: chosen from the endpoint, see `resolved_mode`
    max_cost: float | None = Field(default=None, ge=0)
    prices: dict[str, Price] = {}  # overrides of the built-in price table
    max_attempts: int = Field(default=4, ge=1, le=10)  # transport attempts per call (429/5xx/timeouts)
    reasks: int = Field(default=2, ge=0, le=5)  # extra attempts when the answer fails validation
    retry_base_delay: float = Field(default=1.0, ge=0)  # first backoff step, seconds
    retry_max_delay: float = Field(default=60.0, ge=0)  # cap on any single wait, Retry-After included
    context_window: int | None = Field(default=None, ge=1024)  # tokens; None: providers.toml or 16,384
    chunk_sentences: int = Field(default=80, ge=10)  # long documents are read in windows this size
    chunk_overlap: int = Field(default=8, ge=0)
    # The response cache (`briefer.cache`): off unless the CLI turns it on; refresh = write, never read.
    cache: Literal["off", "on", "refresh"] = "off"
    cache_dir: str | None = None  # None: the user cache folder
    # The Batch API (`--batch-api`): how often to ask for a batch's status, and how long to wait for
    # it before cancelling it and asking live for what it did not answer (OpenAI's window is 24 h).
    batch_poll_interval: float = Field(default=30.0, gt=0)
    batch_max_wait: float = Field(default=86_400.0, gt=0)
    sources: dict[str, str] = {}  # setting name -> where its value came from

    @field_validator("base_url", "azure_endpoint")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        """An endpoint must be an http(s) URL with a host: a typo fails at once (exit 2), rather than
        after seconds of retries against `://Nonenot-a-url`."""
        if value is None:
            return None
        parsed = urlparse(value)
        try:
            parsed.port  # noqa: B018 (raises ValueError for a port that is not a number)
        except ValueError:
            raise ValueError(f"{value!r} has an invalid port") from None
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"{value!r} is not an http:// or https:// URL with a host")
        return value

    @property
    def configured(self) -> bool:
        """Whether an endpoint is set at all; `--engine auto` picks the LLM engine only then."""
        return bool(self.api_key or self.base_url or self.azure_endpoint)

    @property
    def is_azure(self) -> bool:
        return self.azure_endpoint is not None

    @property
    def resolved_mode(self) -> LLMMode:
        """Tool calling for OpenAI and Azure; JSON-schema answers for local servers that lack it
        (the table is `[mode]` in providers.toml)."""
        return self.mode or quirks.default_mode(self.base_url, azure=self.is_azure)

    def endpoint_label(self) -> str:
        """Where calls go, for messages; never includes credentials."""
        url = self.azure_endpoint or self.base_url or quirks.default_base_url()
        parsed = urlparse(url)
        return f"{parsed.scheme}://{parsed.hostname}{f':{parsed.port}' if parsed.port else ''}{parsed.path}"


# setting -> environment variable (the first one set wins)
ENV_VARS: dict[str, tuple[str, ...]] = {
    "model": ("BRIEFER_MODEL",),
    "base_url": ("OPENAI_BASE_URL",),
    "api_key": ("OPENAI_API_KEY",),
    "azure_endpoint": ("AZURE_OPENAI_ENDPOINT",),
    "api_version": ("OPENAI_API_VERSION",),
    "timeout": ("BRIEFER_TIMEOUT",),
    "concurrency": ("BRIEFER_CONCURRENCY",),
    "mode": ("BRIEFER_LLM_MODE",),
    "max_cost": ("BRIEFER_MAX_COST",),
    "price_table": ("BRIEFER_PRICE_TABLE",),
    "retry_base_delay": ("BRIEFER_RETRY_BASE_DELAY",),
    "cache_dir": ("BRIEFER_CACHE_DIR",),
    "context_window": ("BRIEFER_CONTEXT_WINDOW",),
    "batch_poll_interval": ("BRIEFER_BATCH_POLL_INTERVAL",),
    "batch_max_wait": ("BRIEFER_BATCH_MAX_WAIT",),
}
FLAG_NAMES = {
    "model": "--model",
    "base_url": "--base-url",
    "timeout": "--timeout",
    "concurrency": "--concurrency",
    "mode": "--llm-mode",
    "max_cost": "--max-cost",
    "price_table": "--price-table",
    "cache_dir": "--cache-dir",
    "context_window": "--context-window",
}
CONFIG_KEYS = {
    "model",
    "base_url",
    "azure_endpoint",
    "api_version",
    "timeout",
    "concurrency",
    "llm_mode",
    "max_cost",
    "price_table",
    "prices",
    "max_attempts",
    "reasks",
    "retry_base_delay",
    "retry_max_delay",
    "chunk_sentences",
    "chunk_overlap",
    "cache_dir",
    "context_window",
    "batch_poll_interval",
    "batch_max_wait",
}


def config_path(env: Mapping[str, str]) -> tuple[Path, bool]:
    """The config file to read and whether the user named it explicitly (then it must exist)."""
    if env.get("BRIEFER_CONFIG"):
        return Path(env["BRIEFER_CONFIG"]).expanduser(), True
    return platformdirs.user_config_path("briefer") / "config.toml", False


def read_config(path: Path, required: bool) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise ConfigError(f"config file {path} (from BRIEFER_CONFIG) does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read config file {path}: {e}") from None
    if "api_key" in data:
        raise ConfigError(f"{path}: keep API keys out of the config file; set OPENAI_API_KEY instead")
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(CONFIG_KEYS))}"
        )
    if "llm_mode" in data:
        data["mode"] = data.pop("llm_mode")
    return data


def read_price_table(path: str | Path) -> dict[str, Price]:
    """A TOML or JSON file mapping model name -> {input, output} in USD per 1M tokens."""
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
        data = json.loads(text) if p.suffix == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ConfigError(f"cannot read price table {p}: {e}") from None
    data = data.get("prices", data)
    try:
        return {str(k): Price.model_validate(v) for k, v in data.items()}
    except (ValidationError, AttributeError) as e:
        raise ConfigError(
            f'price table {p}: expected entries like "gpt-4o-mini" = {{input = 0.15, output = 0.6}} '
            f"(USD per 1M tokens): {_first_error(e)}"
        ) from None


def load_settings(flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Merge defaults, the config file, the environment and flags (highest wins)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}

    path, required = config_path(env)
    for key, value in read_config(path, required).items():
        values[key], sources[key] = value, f"{path}"
    for key, names in ENV_VARS.items():
        for name in names:
            if env.get(name):
                values[key], sources[key] = env[name], name
                break
    if env.get("AZURE_OPENAI_API_KEY") and (values.get("azure_endpoint") or not values.get("api_key")):
        values["api_key"], sources["api_key"] = env["AZURE_OPENAI_API_KEY"], "AZURE_OPENAI_API_KEY"
    for key, value in (flags or {}).items():
        if value is not None:
            values[key], sources[key] = value, FLAG_NAMES.get(key, key)
    if "api_key" in values:
        values["api_key"] = clean_key(str(values["api_key"]), sources.get("api_key", "the API key"))

    prices: dict[str, Price] = {}
    if "price_table" in values:
        prices.update(read_price_table(values.pop("price_table")))
    try:
        for name, price in (values.pop("prices", None) or {}).items():  # a [prices] section in the config
            prices[name] = Price.model_validate(price)
        return Settings(**values, prices=prices, sources=sources)
    except ValidationError as e:
        err = e.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "?"
        where = sources.get(key, "settings")
        message = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"invalid {key} from {where}: {message}") from None


def clean_key(key: str, source: str) -> str:
    """The key without surrounding whitespace (a stray `\r` from a file saved on Windows, a newline
    from `$(cat key.txt)`); a key with whitespace or control characters inside is refused, in words
    that never show it: sent as is it would fail as a malformed header and be printed by the HTTP
    library's debug log."""
    stripped = key.strip()
    if any(ch.isspace() or not ch.isprintable() for ch in stripped):
        raise ConfigError(
            f"{source} holds a space or control character inside the key; set it to the key alone"
        )
    return stripped


def _first_error(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return problems(e, 1)[0]
    return str(e)

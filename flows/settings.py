"""The settings: every environment variable chidao reads, read here and nowhere else.

    settings = load_settings(db="sqlite:///so-noi-vu.db")    # an entry point: overrides win over the environment
    open_session(settings.db)                                 # then passed down as plain values

`Settings` (pydantic-settings) is built once at each entry point (the CLI's main callback,
`create_app`, the flows, the watcher, the warm service) and passed down;
extractors/ and models/ take plain parameters (a register URL) and read no environment
(Tesseract reads its own TESSDATA_PREFIX).  A bad value is a `SettingsError` whose message, in Vietnamese, names the
variable and says how to fix it: never a traceback.

Why in flows/: it is the lowest layer that builds the settings (the flows, the watcher and
the warm service are entry points of their own: a Prefect worker starts in flows/ingest.py),
and app/ sits above it; models/ and extractors/ must not read the environment at all.

Why two ways in: pydantic-settings costs ~1 s to import cold on the development machine,
twice `chidao search`'s whole answer, and nothing else on the quick path imports pydantic.
So `quick_settings()` gives the quick commands the one value they need, the register URL,
read without it (tests/core/test_settings.py checks it agrees with `Settings`); importing
this module stays cheap, and `Settings` is defined on first use.

Nothing in chidao writes `os.environ`: a value given on the command line (`--db`) reaches the
code that needs it as an argument, also across processes (a flow's `db_url`); the processes
chidao starts (the extractors' forkserver, OCR workers, Tesseract) inherit the environment
unchanged, and Tesseract's one-thread limit is set for it alone (extractors/reading/ocr.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional

if TYPE_CHECKING:   # defined on first use (see the docstring): pydantic stays off the quick path
    from pydantic_settings import BaseSettings as Settings

PREFIX = "CHIDAO_"
DEFAULT_DB = "sqlite:///chidao.db"
DEFAULT_DOC_TIMEOUT = 900.0        # seconds per document
DEFAULT_UPLOAD_MAX_MB = 50.0


class SettingsError(ValueError):
    """A variable with a value chidao cannot use.  The message (Vietnamese, for the clerk or the
    administrator) names the variable and gives a value that works."""


def _define_settings() -> type:
    from typing import Literal

    from pydantic import Field
    from pydantic_settings import BaseSettings, SettingsConfigDict

    def ours(example: str) -> dict:
        return {"json_schema_extra": {"example": example}}

    def theirs(name: str, example: str) -> dict:
        # a variable another program defines (Prefect, the login session): read under its own name
        return {"validation_alias": name, "json_schema_extra": {"example": example}}

    class Settings(BaseSettings):
        """Every variable chidao reads.  Field descriptions are the README's table
        (`variables_table()`; tests/core/test_settings.py keeps the two equal)."""

        model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore",
                                          frozen=True, populate_by_name=True)

        db: str = Field(DEFAULT_DB, min_length=1, **ours("postgresql+psycopg://chidao@db.example/chidao"),
                        description="The register, as a SQLAlchemy URL (`--db URL` before a command overrides it); "
                                    "`sqlite:///chidao.db` is a file in the working directory.")
        doc_timeout: float = Field(DEFAULT_DOC_TIMEOUT, gt=0, **ours("900"),
                                   description="Seconds one document may take (read, structure, extract) before "
                                               "it is given up; `--timeout` overrides it.")
        service: Literal["auto", "off"] = Field("auto", **ours("off"),
                                                description="`off`: `chidao ingest` ignores a running `chidao warm` "
                                                            "service and runs the extractors itself.")
        service_dir: Optional[Path] = Field(None, **ours("/run/chidao"),
                                            description="Where `chidao warm` keeps its socket and key (default "
                                                        "`$XDG_RUNTIME_DIR/chidao`, else `/tmp/chidao-UID`).")
        token: Optional[str] = Field(None, **ours("mot-chuoi-bi-mat"),
                                     description="The shared token staff log in with on the web page; required when "
                                                 "`chidao serve` binds to an address other than loopback.")
        intake: Path = Field(Path("intake"), **ours("/srv/chidao/intake"),
                             description="The folder the web page's uploads go to (`chidao serve --intake` overrides it).")
        hosts: Optional[str] = Field(None, **ours("chidao.so-noi-vu.gov.vn"),
                                     description="Other host names the web page answers to, comma-separated (the "
                                                 "name in the address staff type); loopback names always work.")
        upload_max_mb: float = Field(DEFAULT_UPLOAD_MAX_MB, gt=0, **ours("50"),
                                     description="Largest upload the web page accepts, in MB.")
        user: Optional[str] = Field(None, **ours("nguyen.van.a"),
                                    description="Who `chidao status` and `chidao edit` record as making the change "
                                                "(default: the login name; `--who` overrides it).")
        office: str = Field("", **ours("UBND TỈNH BÌNH ĐỊNH/VĂN PHÒNG"),
                            description="The issuing office at the top left of a department's PDF list, its lines "
                                        "separated by `/`: the superior body, then the office (default: a blank "
                                        "line to fill in by hand).")
        place: str = Field("", **ours("Bình Định"),
                           description="The place of the PDF list's date line (`Bình Định, ngày 05 tháng 01 năm "
                                       "2026`).")
        signer: str = Field("", **ours("KT. CHÁNH VĂN PHÒNG/PHÓ CHÁNH VĂN PHÒNG/Nguyễn Văn A"),
                            description="The PDF list's signature block, its lines separated by `/`, the signer's "
                                        "name last (default: a blank block to sign by hand).")
        smtp_host: Optional[str] = Field(None, **ours("mail.example.gov.vn"),
                                         description="The mail server `chidao remind` sends through (required to send; "
                                                     "`--dry-run` needs none).")
        smtp_port: int = Field(25, gt=0, lt=65536, **ours("587"), description="Its port.")
        smtp_tls: Literal["off", "starttls", "ssl"] = Field("off", **ours("starttls"),
                                                         description="`starttls` (port 587), `ssl` (port 465) or "
                                                                     "`off` (a relay on the local network).")
        smtp_user: Optional[str] = Field(None, **ours("chidao"), description="Login on the mail server, if it asks for one.")
        smtp_password: Optional[str] = Field(None, **ours("mat-khau"), description="Its password.")
        smtp_sender: str = Field("chidao@localhost", min_length=3, **ours("chidao@example.gov.vn"),
                                 description="The From address of the reminders.")
        web_url: str = Field("http://127.0.0.1:8000", min_length=1, **ours("https://chidao.example.gov.vn"),
                             description="The web page's address as departments reach it: the links in the reminders.")
        xdg_runtime_dir: Optional[Path] = Field(None, **theirs("XDG_RUNTIME_DIR", "/run/user/1000"),
                                                description="Set by the login session: `chidao warm`'s socket goes in "
                                                            "its `chidao/` folder.")
        prefect_api_url: Optional[str] = Field(None, **theirs("PREFECT_API_URL", "http://127.0.0.1:4200/api"),
                                               description="A Prefect server: `chidao ingest` and `chidao watch` then "
                                                           "run each file as a flow run recorded there; "
                                                           "`--distributed` hands the files to its `chidao worker`s.")

        def given(self, name: str) -> bool:
            """The value came from the environment or an override, not from the default."""
            return name in self.model_fields_set

    return Settings


@lru_cache(maxsize=1)
def settings_class() -> type:
    return _define_settings()


def __getattr__(name: str) -> Any:     # `from flows.settings import Settings` defines it then
    if name == "Settings":
        return settings_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def env_name(field: str) -> str:
    """The environment variable a field is read from."""
    info = settings_class().model_fields[field]
    return info.validation_alias if isinstance(info.validation_alias, str) else PREFIX + field.upper()


def load_settings(**overrides: Any) -> "Settings":
    """The settings from the environment, `overrides` winning; None overrides are ignored (an
    option the user did not give).  Raises SettingsError."""
    from pydantic import ValidationError

    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return settings_class()(**given)
    except ValidationError as exc:
        raise SettingsError(_explain(exc, given)) from None


def _explain(exc, overrides: Mapping[str, Any]) -> str:
    cls = settings_class()
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err.get("loc") else ""
        if field not in cls.model_fields:
            field = next((f for f in cls.model_fields if env_name(f) == field), field)
        name = env_name(field) if field in cls.model_fields else field
        extra = cls.model_fields[field].json_schema_extra if field in cls.model_fields else None
        example = extra.get("example") if isinstance(extra, dict) else None
        value = err.get("input")
        what = _WHAT.get(err.get("type", ""), "không dùng được")
        if field in overrides:      # a value the caller passed (an option): no variable to fix
            lines.append(f"Giá trị {field}={value!s} không hợp lệ: {what}.")
            continue
        line = f"Biến môi trường {name}={value!s} không hợp lệ: {what}."
        if example:
            line += f" Ví dụ: export {name}={example}   (hoặc bỏ biến này: unset {name})"
        lines.append(line)
    return "\n".join(lines)


_WHAT = {
    "float_parsing": "phải là một số",
    "int_parsing": "phải là một số nguyên",
    "less_than": "quá lớn",
    "greater_than": "phải lớn hơn 0",
    "literal_error": "chỉ nhận một trong các giá trị cho phép",
    "string_too_short": "không được để trống",
    "path_type": "phải là một đường dẫn thư mục",
}


@dataclass(frozen=True)
class QuickSettings:
    """What `chidao search`, `owes` and `summary` need: the register URL, read without
    pydantic (see the module docstring).  Same answer as `Settings.db`."""

    db: str
    office: str = ""      # what the PDF lists print: Settings' fields of the same names
    place: str = ""
    signer: str = ""


def quick_settings(*, db: Optional[str] = None) -> QuickSettings:
    env = os.environ
    return QuickSettings(db=db or env.get(PREFIX + "DB") or DEFAULT_DB, office=env.get(PREFIX + "OFFICE", ""),
                         place=env.get(PREFIX + "PLACE", ""), signer=env.get(PREFIX + "SIGNER", ""))


def variables_table() -> str:
    """The README's table of variables, one row per field, in declaration order."""
    cls = settings_class()
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for field, info in cls.model_fields.items():
        default = "" if info.default is None else f"`{info.default}`"
        rows.append(f"| `{env_name(field)}` | {default} | {info.description} |")
    return "\n".join(rows)

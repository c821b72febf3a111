"""The pipeline: one ordered list of named, typed stages (in the spirit of spaCy's `nlp.pipeline`).

    file path --read--> Document --structure--> Directive --obligations--> Extraction

`PIPELINE` is the only place the stage order is written.  `chidao ingest`, `chidao reextract`,
the watcher and the Prefect flows all run it (flows/steps.py runs each stage in a killable child
process under the document's deadline; flows/ingest.py makes one Prefect task per stage).

A stage is a module-level function `run(input, options) -> output`: module-level because the
isolated child receives it by reference (pickle), and `options` because what a stage needs
besides its input is a named field of `Options` (the register's known programmes are an input
of the structure stage), never a keyword that a stage may or may not swallow.

`Pipeline.replace(name, run)` is the extension point (spaCy's `replace_pipe`): a pipeline with
one stage swapped, with a fingerprint of its own.

Outcomes of one file (as docling's ConversionStatus), never mixed:
  done       every stage ran; the result is stored (flags and reading errors say what to review)
  bad-input  the file's fault (empty, corrupt, encrypted, unsupported, no text): a stage's verdict
             on its own output (`Stage.rejects`), with a reason a clerk can act on.  The same bytes
             give the same answer, so it is not retried.
  error      our fault: a stage raised, timed out or crashed.  Stored with the traceback and the
             code fingerprint; the same file is processed again once the code has changed.
"""
from __future__ import annotations

import hashlib
import marshal
import sys
from dataclasses import dataclass, replace as dc_replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

from extractors.types import Directive, Document, Extraction, ReadError

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("done", "bad-input", "error")


@dataclass(frozen=True)
class Options:
    """What the stages are told besides their input (the same object for every stage)."""
    ocr_workers: Optional[int] = None          # OCR processes for one document's pages (read)
    programmes: tuple[dict, ...] = ()          # programmes the register learned (structure)


@dataclass(frozen=True)
class BadInput:
    """The file's fault: `code` for programs, `reason` (Vietnamese, one line) for the clerk."""
    code: str
    reason: str


class NotInstalled(RuntimeError):
    """A tool the reader needs is missing on this machine (Tesseract, its Vietnamese data):
    neither the file's fault nor a defect of the code.  Nothing is stored; install it and
    ingest the file again."""


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[Any, Options], Any]
    takes: type
    gives: type
    rejects: Optional[Callable[[Any], Optional[BadInput]]] = None   # bad-input verdict on the output
    timeout: Optional[float] = None     # its own limit in seconds, within the document's deadline


@dataclass
class Processed:
    document: Document
    directive: Directive
    extraction: Extraction
    bad_input: Optional[BadInput] = None    # set when a stage rejected the file (document.status failed)


# ---------------------------------------------------------------- the stages

# The extractors are imported inside the stages: the CLI imports this module to know the list,
# and spaCy / OCR load only in the process where a stage runs.

def read(path: Path, options: Options) -> Document:
    from extractors.reading import read_document

    document = read_document(path, workers=options.ocr_workers)
    missing = next((e for e in document.errors if e.code in NOT_INSTALLED_CODES), None)
    if missing is not None:
        raise NotInstalled(missing.message)
    return document


def structure(document: Document, options: Options) -> Directive:
    from extractors.structure import parse_directive

    return parse_directive(document, programmes=list(options.programmes))


def obligations(directive: Directive, options: Options) -> Extraction:
    from extractors.obligations import extract_obligations

    return extract_obligations(directive)


# ---------------------------------------------------------------- bad input

NOT_INSTALLED_CODES = frozenset({"ocr-unavailable", "ocr-language-missing"})

# The reader's error codes in a clerk's words: what is wrong and what to do.
BAD_INPUT_REASONS: dict[str, str] = {
    "empty-file": "tệp rỗng (0 byte); hãy lưu hoặc quét lại văn bản rồi nộp lại",
    "corrupt-pdf": "tệp PDF bị hỏng hoặc không trọn vẹn (có thể tải về chưa xong); hãy tải hoặc xuất lại PDF rồi nộp lại",
    "not-a-pdf": "tên tệp là .pdf nhưng nội dung không phải PDF; hãy mở thử tệp, lưu lại đúng dạng PDF rồi nộp lại",
    "encrypted": "PDF có mật khẩu; hãy xin bản không đặt mật khẩu (hoặc gỡ mật khẩu) rồi nộp lại",
    "no-pages": "PDF không có trang nào; hãy xuất lại PDF từ văn bản gốc rồi nộp lại",
    "unsupported-format": "định dạng tệp không đọc được (chỉ nhận PDF, DOCX, PNG, JPEG, TIFF); "
                          "tệp Word/Excel cũ (.doc, .xls) hãy lưu thành DOCX hoặc PDF rồi nộp lại",
    "unreadable-image": "ảnh bị hỏng, không mở được; hãy quét hoặc chụp lại rồi nộp lại",
    "image-too-large": "ảnh quá lớn; hãy quét lại ở 300 dpi rồi nộp lại",
    "corrupt-docx": "tệp DOCX bị hỏng; hãy mở bằng Word, lưu lại rồi nộp lại",
    "unreadable": "không đọc được nội dung tệp (tệp bị khóa hoặc không có quyền đọc); hãy chép lại tệp rồi nộp lại",
    "no-text": "không có chữ nào đọc được (trang trắng hoặc ảnh quá mờ); hãy quét lại rõ hơn (300 dpi) rồi nộp lại",
    "not-found": "không tìm thấy tệp; hãy kiểm tra lại đường dẫn",
    "not-a-file": "đây là thư mục, không phải tệp",
}


# What a file still being copied looks like when it is read: cut off (a PDF without its end, a
# DOCX whose zip directory is missing, half an image) or still empty.  The watcher reads such a
# file again after a longer wait before it fails it, and fails it as retryable.
HALF_WRITTEN_CODES = ("corrupt-pdf", "corrupt-docx", "unreadable-image", "empty-file")


def half_written_code(reason: str) -> Optional[str]:
    """The code (HALF_WRITTEN_CODES) whose clerk's line (bad_input_reason) REASON is: a file that
    may only have been read half-written; None for any other reason."""
    return next((code for code in HALF_WRITTEN_CODES if reason == BAD_INPUT_REASONS[code]), None)


def bad_input_reason(code: str, message: str = "") -> str:
    """The clerk's one line for a reader's error code (a stored row's too)."""
    known = BAD_INPUT_REASONS.get(code)
    if known:
        return known
    return f"không đọc được tệp ({message or code}); hãy kiểm tra tệp rồi nộp lại"


def reading_verdict(document: Document) -> Optional[BadInput]:
    """Bad input when the reader could not read the file, or read no text at all."""
    if document.status == "failed":
        first = document.errors[0] if document.errors else ReadError(code="unreadable", message="unreadable")
        return BadInput(first.code, bad_input_reason(first.code, first.message))
    has_text = any(b.text.strip() for p in document.pages for b in p.blocks) or any(t.rows for t in document.tables)
    if not has_text:
        return BadInput("no-text", BAD_INPUT_REASONS["no-text"])
    return None


def as_bad_input(document: Document, verdict: BadInput) -> Document:
    """The Document as the register keeps a bad file: status failed, the verdict among its errors."""
    errors = list(document.errors)
    if not any(e.code == verdict.code for e in errors):
        errors.insert(0, ReadError(code=verdict.code, message=verdict.reason))
    return document.model_copy(update={"status": "failed", "errors": errors})


# ---------------------------------------------------------------- the list

@dataclass(frozen=True)
class Pipeline:
    stages: tuple[Stage, ...]

    def __post_init__(self) -> None:
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"stage names repeat: {names}")
        for a, b in zip(self.stages, self.stages[1:]):
            if a.gives is not b.takes:
                raise TypeError(f"stage {b.name!r} takes {b.takes.__name__}, {a.name!r} gives {a.gives.__name__}")

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def __getitem__(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(f"no stage {name!r} (stages: {', '.join(self.names)})")

    def replace(self, name: str, run: Callable[[Any, Options], Any], *, timeout: Optional[float] = None) -> "Pipeline":
        """This pipeline with stage NAME's function replaced (same types, verdict and place)."""
        old = self[name]
        new = dc_replace(old, run=run, timeout=old.timeout if timeout is None else timeout)
        return Pipeline(tuple(new if s.name == name else s for s in self.stages))

    def fingerprint(self) -> str:
        """The code that produces this pipeline's results: extractors/ and corpora/ data, and
        the code of any stage function from elsewhere (a replaced stage)."""
        return _fingerprint(self.stages)

    def run(self, path: str | Path, options: Options = Options(),
            on_stage: Optional[Callable[[str], None]] = None) -> Processed:
        """Every stage in this process, in order (no isolation, no timeout: tests, benchmarks,
        tools, and flows/steps.py's warm workers, which time each stage from `on_stage(name)`,
        called as it starts).  A stage's verdict of bad input stops the run (`Processed.bad_input`)."""
        value: Any = Path(path)
        outputs: list[Any] = []
        for stage in self.stages:
            if on_stage is not None:
                on_stage(stage.name)
            value = stage.run(value, options)
            outputs.append(value)
            verdict = stage.rejects(value) if stage.rejects else None
            if verdict is not None:
                return processed_from(outputs, verdict)
        return processed_from(outputs)


@lru_cache(maxsize=16)
def _fingerprint(stages: tuple[Stage, ...]) -> str:
    h = hashlib.sha256(code_fingerprint().encode())
    for s in stages:
        h.update(f"\0{s.name}={s.run.__module__}.{s.run.__qualname__}".encode())
        if not s.run.__module__.startswith("extractors."):   # extractors/ is hashed file by file
            code = getattr(s.run, "__code__", None)
            h.update(marshal.dumps(code) if code is not None else b"?")
    return h.hexdigest()


def processed_from(outputs: list[Any], verdict: Optional[BadInput] = None) -> Processed:
    """The register's view of a run: the Document, Directive and Extraction it produced; after
    a verdict of bad input, the Document marked failed and empty results."""
    by_type = {type(o): o for o in outputs}
    document = by_type[Document]
    if verdict is not None:
        document = as_bad_input(document, verdict)
        return Processed(document, Directive(document=document), Extraction(), bad_input=verdict)
    return Processed(document, by_type[Directive], by_type[Extraction])


PIPELINE = Pipeline((
    Stage("read", read, Path, Document, rejects=reading_verdict),
    Stage("structure", structure, Document, Directive),
    Stage("obligations", obligations, Directive, Extraction),
))


def forget_texts() -> None:
    """Drop what the stages remember of the texts they saw (the NLP's answers per sentence), so
    that a process that takes document after document answers each as a fresh one would, and
    holds no text of the last.  What they remember of the gazetteers stays."""
    from extractors import text

    text.forget_texts()
    common = sys.modules.get("extractors.structure.common")
    if common is not None:
        common.fold.cache_clear()
    nlp = sys.modules.get("extractors.obligations.nlp")
    if nlp is not None:
        nlp.forget_texts()


def process_file(path: str | Path, programmes: Optional[list[dict]] = None) -> Processed:
    """PIPELINE in this process (see Pipeline.run)."""
    return PIPELINE.run(path, Options(programmes=tuple(programmes or ())))


# ---------------------------------------------------------------- the code's fingerprint

@lru_cache(maxsize=4)
def code_fingerprint(root: Path = ROOT) -> str:
    """sha256 of the extractors' code and the corpora's data, by content (not time: every
    worker machine of a scale-out set-up must agree).  Once per process: a running process
    keeps the code it imported."""
    h = hashlib.sha256()
    corpora = root.joinpath("corpora")
    files = [*root.joinpath("extractors").rglob("*.py"), *corpora.glob("*.jsonl"), *corpora.glob("*.csv"),
             *corpora.glob("lm/*.csv"), *corpora.glob("digits/*.npz")]     # the OCR's models read the text too
    for f in sorted(files):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()

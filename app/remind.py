"""`chidao remind`: each department's Vietnamese e-mail of what falls due and what is overdue.

    run_reminders(settings, today=dt.date(2026, 12, 7))          # send, log, report
    run_reminders(settings, dry_run=True)                          # print what would be sent

One e-mail per department that has reminders not sent yet (models/reminders.py decides which:
due within 7, 3 and 1 days, overdue, recurring tasks' next occurrences), to the address the
register holds for it (`chidao unit email`), with its list attached as XLSX (app/reports.py, the
same file `chidao owes --format xlsx` writes) and links to its web page.  Each e-mail's
reminders are logged as sent only once the mail server accepted it, so a failed send is tried
again at the next run and a rerun sends nothing twice.  A department without an address is
reported (and its reminders stay unsent), never skipped silently.

An application module, not a flow: what it writes is read by departments (like the reports),
and it wires the register, the XLSX writer and the mail server together.  flows/remind.py is
the Prefect flow the daily deployment runs; it calls `run_reminders`.
"""
from __future__ import annotations

import datetime as dt
import email.policy
import smtplib
import ssl
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from models.owes_rows import ROLE_LABELS, vn_date
from models.reminders import DEFAULT_WINDOWS, OVERDUE, Digest, Reminder

if TYPE_CHECKING:
    from flows.settings import Settings

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# Headers unfolded: Python folds a long Vietnamese subject into encoded words with the space
# between two words as the fold, which decoders drop ("nhiệmvụ"); one encoded word keeps it.
MAIL_POLICY = email.policy.default.clone(max_line_length=998)


@dataclass
class RemindReport:
    sent: list[tuple[str, str, int]] = field(default_factory=list)       # (department, address, reminders)
    no_address: list[tuple[str, int]] = field(default_factory=list)      # (department, reminders)
    failed: list[tuple[str, str]] = field(default_factory=list)          # (department, why)
    previews: list[EmailMessage] = field(default_factory=list)           # --dry-run: what would be sent

    def lines(self) -> list[str]:
        """What `chidao remind` prints (Vietnamese)."""
        out = [f"đã gửi: {unit} <{email}>: {n} nhắc việc" for unit, email, n in self.sent]
        out += [f"chưa có địa chỉ: {unit} ({n} nhắc việc chưa gửi); thêm địa chỉ rồi chạy lại: "
                f"chidao unit email \"{unit}\" DIA-CHI@example.gov.vn" for unit, n in self.no_address]
        out += [f"gửi không được: {unit}: {why}; sẽ gửi lại ở lần chạy sau" for unit, why in self.failed]
        return out


# ---------------------------------------------------------------- the e-mail

def subject(d: Digest, today: dt.date) -> str:
    overdue = len(d.by_kind(OVERDUE))
    soon = len(d.reminders) - overdue
    parts = ([f"{overdue} nhiệm vụ quá hạn"] if overdue else []) + ([f"{soon} nhiệm vụ sắp đến hạn"] if soon else [])
    return f"[Nhắc việc] {d.unit}: {', '.join(parts)} (ngày {vn_date(today)})"


def _when(r: Reminder) -> str:
    if r.kind == OVERDUE:
        return f"quá hạn {-r.days} ngày (hạn {vn_date(r.when)})" if r.days < 0 else f"quá hạn (hạn {vn_date(r.when)})"
    if r.days == 0:
        return f"hạn hôm nay ({vn_date(r.when)})"
    return f"còn {r.days} ngày (hạn {vn_date(r.when)})"


SECTIONS = ((OVERDUE, "NHIỆM VỤ QUÁ HẠN"), ("due-1", "ĐẾN HẠN TRONG 1 NGÀY"), ("due-3", "ĐẾN HẠN TRONG 3 NGÀY"),
            ("due-7", "ĐẾN HẠN TRONG 7 NGÀY"))


def body(d: Digest, today: dt.date, web_url: str) -> str:
    base = web_url.rstrip("/")
    lines = [f"Kính gửi: {d.label}", "",
             f"Hệ thống theo dõi nhiệm vụ (chidao) nhắc việc ngày {vn_date(today)}:", ""]
    kinds = [k for k, _ in SECTIONS] + sorted({r.kind for r in d.reminders} - {k for k, _ in SECTIONS})
    titles = dict(SECTIONS)
    for kind in kinds:
        rs = d.by_kind(kind)
        if not rs:
            continue
        lines.append(f"{titles.get(kind, kind.upper())} ({len(rs)})")
        for n, r in enumerate(rs, 1):
            lines.append(f"{n}. {r.item.text}")
            lines.append(f"   Thời hạn: {r.item.deadline_label} — {_when(r)}; vai trò: "
                         f"{ROLE_LABELS.get(r.item.role, r.item.role).lower()}"
                         + (f" (giao cho {r.item.via_group})" if r.item.via_group else ""))
            lines.append(f"   Văn bản giao: {r.item.source_label}")
            lines.append(f"   Xem và cập nhật: {base}/obligations/{urllib.parse.quote(str(r.item.obligation_id))}")
        lines.append("")
    lines += [f"Danh sách đầy đủ của đơn vị: {base}/units/view?{urllib.parse.urlencode({'name': d.unit})}",
              "Tệp Excel đính kèm liệt kê các nhiệm vụ trên.",
              "Khi đã hoàn thành một nhiệm vụ, đề nghị đơn vị mở đường dẫn của nhiệm vụ đó ở trên để cập nhật "
              "tình trạng, hoặc báo lại văn phòng kèm mã nhiệm vụ (phần cuối đường dẫn).", "",
              "Thư này được gửi tự động; mỗi nhắc việc chỉ gửi một lần."]
    return "\n".join(lines)


def message(d: Digest, today: dt.date, *, sender: str, web_url: str,
            attach: Optional[Callable[[Digest, dt.date], tuple[str, bytes]]] = None) -> EmailMessage:
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["Subject"] = subject(d, today)
    msg["From"] = sender
    msg["To"] = d.email or ""
    msg.set_content(body(d, today, web_url))
    if attach is not None:
        name, data = attach(d, today)
        msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
    return msg


def xlsx_attachment(d: Digest, today: dt.date) -> tuple[str, bytes]:
    """The department's reminded tasks as the XLSX list (app/reports.py), named for the day."""
    from app.reports import default_path, write_xlsx

    stem = default_path("xlsx", d.unit, outdir="").stem.rsplit("-", 3)[0]    # nhiem-vu-<unit>, without the date
    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx([d.as_owes()], Path(tmp) / f"{stem}-{today.isoformat()}.xlsx")
        return path.name, path.read_bytes()


# ---------------------------------------------------------------- sending

def smtp_connection(settings: "Settings") -> smtplib.SMTP:
    if not settings.smtp_host:
        raise ValueError("chưa đặt máy chủ thư: export CHIDAO_SMTP_HOST=mail.example.gov.vn (và CHIDAO_SMTP_PORT, "
                         "CHIDAO_SMTP_TLS nếu cần) rồi chạy lại; hoặc xem trước: chidao remind --dry-run")
    if settings.smtp_tls == "ssl":
        conn = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=60,
                                context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=60)
        if settings.smtp_tls == "starttls":
            conn.starttls(context=ssl.create_default_context())
    if settings.smtp_user:
        conn.login(settings.smtp_user, settings.smtp_password or "")
    return conn


def run_reminders(settings: "Settings", *, today: Optional[dt.date] = None, windows: Iterable[int] = DEFAULT_WINDOWS,
                  dry_run: bool = False, attach_xlsx: bool = True) -> RemindReport:
    """Send today's reminders (see the module docstring).  Raises ValueError (Vietnamese) when
    there is something to send and no mail server is set."""
    from models.departments import UNASSIGNED_KIND
    from models.owes import owes
    from models.register import open_session
    from models.reminders import due_reminders, record_sent

    today = today or dt.date.today()
    report = RemindReport()
    attach = xlsx_attachment if attach_xlsx else None
    with open_session(settings.db) as session:
        groups = [g for g in owes(session, today=today) if g.kind != UNASSIGNED_KIND]    # nobody to write to
        digests = due_reminders(session, groups, today=today, windows=windows)
    ready = [d for d in digests if d.email]
    report.no_address = [(d.unit, len(d.reminders)) for d in digests if not d.email]
    if dry_run:
        report.previews = [message(d, today, sender=settings.smtp_sender, web_url=settings.web_url, attach=attach)
                           for d in ready]
        report.sent = [(d.unit, d.email or "", len(d.reminders)) for d in ready]
        return report
    if not ready:
        return report
    conn = smtp_connection(settings)
    try:
        for d in ready:
            msg = message(d, today, sender=settings.smtp_sender, web_url=settings.web_url, attach=attach)
            try:
                conn.send_message(msg)
            except smtplib.SMTPException as exc:
                report.failed.append((d.unit, f"{type(exc).__name__}: {exc}"))
                continue
            with open_session(settings.db) as session:     # logged as soon as the server took it
                record_sent(session, d, today=today, email=d.email or "")
            report.sent.append((d.unit, d.email or "", len(d.reminders)))
    finally:
        try:
            conn.quit()
        except smtplib.SMTPException:
            pass
    return report

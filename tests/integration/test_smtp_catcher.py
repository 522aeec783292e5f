"""The local mail catcher of `make run`: a restart on the same folder keeps the mail it already has."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

from bdhvs_local.smtp_catcher import SmtpCatcher


def send(catcher: SmtpCatcher, subject: str) -> None:
    message = EmailMessage()
    message["From"] = "notifier@example.org"
    message["To"] = "xa-09313@example.org"
    message["Subject"] = subject
    message.set_content(f"body of {subject}")
    with smtplib.SMTP(catcher.host, catcher.port, timeout=10) as client:
        client.send_message(message)


def subjects(directory: Path) -> dict[str, str]:
    return {
        path.name: next(
            line.removeprefix("Subject: ")
            for line in path.read_text().splitlines()
            if line.startswith("Subject: ")
        )
        for path in sorted(directory.glob("*.eml"))
    }


def test_a_restarted_catcher_numbers_on_and_keeps_earlier_mail(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    first = SmtpCatcher(folder).start()
    try:
        send(first, "before 1")
        send(first, "before 2")
    finally:
        first.stop()
    (folder / "notes.txt").write_text("not a mail")  # other files do not disturb the numbering
    assert subjects(folder) == {"000001.eml": "before 1", "000002.eml": "before 2"}

    second = SmtpCatcher(folder).start()  # `make run` again on the same .run/mail
    try:
        send(second, "after 1")
        send(second, "after 2")
    finally:
        second.stop()
    assert subjects(folder) == {
        "000001.eml": "before 1",
        "000002.eml": "before 2",
        "000003.eml": "after 1",
        "000004.eml": "after 2",
    }
    assert [m["Subject"] for m in second.messages] == ["after 1", "after 2"]


def test_a_file_that_appears_under_the_next_number_is_not_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    catcher = SmtpCatcher(folder).start()
    try:
        folder.mkdir()
        (folder / "000001.eml").write_text("Subject: written by someone else\n\n")  # after the scan
        send(catcher, "mine")
    finally:
        catcher.stop()
    assert subjects(folder) == {"000001.eml": "written by someone else", "000002.eml": "mine"}

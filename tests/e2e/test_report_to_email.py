"""A report travels intake → JetStream → kpi → notifier → SMTP, through three processes."""

from __future__ import annotations

import httpx

from bdhvs_local.smtp_catcher import SmtpCatcher
from bdhvs_shared.events import AttainmentUpdated
from support.apps import eventually
from support.bus import stream_messages
from support.processes import RunningSystem


async def test_a_lagging_report_produces_the_kpi_event_and_one_email(
    system: RunningSystem, smtp_server: SmtpCatcher, clean_nats: str
) -> None:
    token = system.cli("intake", "token", "create", "--role", "commune", "--unit", "09313")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient() as client:
        for period, c, d in (
            ("2026-01", 4000, 7000),
            ("2026-02", 4300, 7400),
            ("2026-03", 4700, 7900),
        ):
            reply = await client.post(
                f"{system.url('intake')}/api/v1/reports",
                headers=headers,
                json={
                    "unit_code": "09313",
                    "form": "monthly",
                    "period": period,
                    "values": {
                        "c": {"numerator": c, "denominator": 10000},
                        "d": {"numerator": d, "denominator": 10000},
                    },
                },
            )
            assert reply.status_code == 201, reply.text

        messages = await eventually(
            lambda: stream_messages(clean_nats, "KPI", "bdhvs.kpi.attainment.09313.c"),
            lambda m: len(m) == 3,
            timeout=20,
        )
        last = AttainmentUpdated.model_validate_json(messages[-1].data)
        assert last.status == "off_track" and round(last.attainment or 0, 4) == 0.47

        mails = await eventually(
            lambda: _value(smtp_server.messages),
            lambda m: any("Chi Lăng" in x["Subject"] for x in m),
            timeout=20,
        )
        to_09313 = [m for m in mails if m["To"] == "chutich.09313@bacninh.example"]
        assert len(to_09313) == 1  # c went off_track once; d stayed on track (case C)
        assert "chỉ tiêu c" in to_09313[0]["Subject"]

        operator = system.cli("intake", "token", "create", "--role", "operator")
        as_operator = {"Authorization": f"Bearer {operator}"}
        log = (
            await client.get(
                f"{system.url('notifier')}/api/v1/notifications",
                params={"unit": "09313"},
                headers=as_operator,
            )
        ).json()
        assert [n["status"] for n in log["items"]] == ["sent"]

        async def province() -> set[str]:
            reply = await client.get(
                f"{system.url('kpi')}/api/v1/attainment", params={"unit": "24"}, headers=headers
            )
            rows = reply.json()
            return {row["indicator"] for row in rows}

        await eventually(province, lambda indicators: indicators == {"c", "d"})


async def _value(value: object) -> object:
    return value

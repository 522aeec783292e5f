"""Changing the catalogue without a release: validate the whole new version, store it with who and
why, publish it (outbox, same transaction), and switch to it.

The unit of change is a data file (forms.yaml, indicators.yaml, units.csv…): the admin edits the
file the catalogue is made of, the loader checks every file together, and a change that leaves the
catalogue inconsistent (a form naming an unknown indicator) is refused whole. Every replica of
intake picks up a new version within `CATALOGUE_REFRESH_SECONDS`; kpi and notifier read the event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bdhvs_shared.catalogue import (
    DATA_FILES,
    Catalogue,
    CatalogueError,
    FormulaName,
    catalogue_from_texts,
    check_names,
    read_files,
    texts_version,
)
from bdhvs_shared.catalogue.loader import default_directory
from bdhvs_shared.clock import Clock
from bdhvs_shared.events import CataloguePublished, subjects
from intake.domain.principal import Principal, Role
from intake.service_layer.errors import Forbidden
from intake.service_layer.ports import Relay, StoredVersion, Transactions
from intake.service_layer.submit_report import IntakeService


class CatalogueRejected(Exception):
    """The new catalogue is inconsistent; `detail` says where and why (from the loader)."""

    def __init__(self, detail: str, code: str = "catalogue.invalid") -> None:
        super().__init__(detail)
        self.detail, self.code = detail, code


def packaged_files() -> dict[str, str]:
    """The catalogue shipped with the release: the first version until an admin changes it."""
    return {name: content.decode("utf-8") for name, content in read_files(default_directory()).items()}


async def current_files(transactions: Transactions) -> dict[str, str]:
    """The data files of the version in force (the packaged ones until an admin publishes one)."""
    async with transactions() as stores:
        stored = await stores.catalogue.latest()
    return files_in_force(stored)


def files_in_force(stored: StoredVersion | None) -> dict[str, str]:
    """The latest stored version's files, or the packaged ones while no admin has published any."""
    return stored.files if stored else packaged_files()


def checked(name: str, files: dict[str, str]) -> Catalogue:
    """The catalogue the files make, checked whole; CatalogueRejected says where and why not."""
    try:
        catalogue = catalogue_from_texts(files)
        check_names(catalogue)  # names go into every export: none may start a formula
    except FormulaName as exc:
        raise CatalogueRejected(exc.message_vi, "catalogue.formula_name") from None
    except CatalogueError as exc:
        raise CatalogueRejected(str(exc)) from None
    except (ValueError, TypeError, AttributeError, KeyError) as exc:  # YAML of an unexpected shape
        raise CatalogueRejected(f"{name}: {type(exc).__name__}: {exc}") from None
    return catalogue


@dataclass
class CatalogueAdmin:
    transactions: Transactions
    service: IntakeService  # holds the catalogue in force for validation
    clock: Clock
    relay: Relay  # woken after the commit: the catalogue.published event goes out now

    async def files(self) -> dict[str, str]:
        """The data files of the version in force."""
        return await current_files(self.transactions)

    async def change_file(
        self, principal: Principal, name: str, change: Callable[[str], str], summary: str
    ) -> Catalogue:
        """Publish a new version with `name` rewritten by `change` (applied to the version in force,
        under the lock, so that two admins' changes never overwrite each other)."""
        if principal.role is not Role.ADMIN:
            raise Forbidden(name)
        if name not in DATA_FILES:
            raise CatalogueRejected(f"{name} is not a catalogue file ({', '.join(DATA_FILES)})")
        async with self.transactions() as stores:
            await stores.catalogue.lock()
            stored = await stores.catalogue.latest()
            before = stored.files if stored else packaged_files()
            files = {**before, name: change(before.get(name, ""))}
            catalogue = checked(name, files)
            previous = stored.version if stored else texts_version(before)
            if catalogue.version == previous:
                return catalogue
            event = CataloguePublished.new(
                producer="intake",
                correlation_id=None,
                occurred_at=self.clock.now(),
                version=catalogue.version,
                previous_version=previous,
                files=files,
                changed_files=sorted(n for n in files if files[n] != before.get(n)),
                changed_by=principal.label,
                summary=summary,
            )
            await stores.catalogue.add(event)
            await stores.stage([(event, subjects.CATALOGUE_PUBLISHED)])
        self.service.catalogue = catalogue
        self.relay.wake()
        return catalogue

"""Events of the catalogue (stream CATALOGUE, subject bdhvs.catalogue.published)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from bdhvs_shared.events.envelope import Event


class CataloguePublished(Event):
    """An admin changed the catalogue (forms, targets, units…): this is the new version, whole.

    Subject: `bdhvs.catalogue.published`. The last message on the subject is the current catalogue,
    so a service that starts reads it there; `files` rebuild it with
    `bdhvs_shared.catalogue.catalogue_from_files`, and its version must equal `version`.
    """

    TYPE: ClassVar[str] = "bdhvs.catalogue.published"
    SCHEMA_VERSION: ClassVar[int] = 1

    event_type: Literal["bdhvs.catalogue.published"] = "bdhvs.catalogue.published"
    version: str = Field(
        description="Content hash of the data files (12 hex digits).", examples=["914f4fd7bc5c"]
    )
    previous_version: str | None = Field(description="The version it replaces.")
    files: dict[str, str] = Field(description="Every data file of the catalogue by name, as UTF-8 text.")
    changed_files: list[str] = Field(description="The files that differ from the previous version.")
    changed_by: str = Field(description="The admin token that made the change, e.g. admin:<token id>.")
    summary: str = Field(description="What changed and why, in the admin's words.")

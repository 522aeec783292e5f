"""The argon2id adapter (intake/adapters/passwords.py): what it stores, what it accepts, when it rehashes.
Small parameters keep it fast; the service's come from the settings."""

from __future__ import annotations

from intake.adapters.passwords import Argon2Hasher


async def test_only_an_argon2id_hash_is_kept_and_only_the_password_matches_it() -> None:
    hasher = Argon2Hasher(memory_kib=1024, time_cost=1, concurrency=1)
    try:
        stored = await hasher.hash("Mật khẩu đủ dài")
        assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$") and "Mật" not in stored
        assert await hasher.verify(stored, "Mật khẩu đủ dài")
        assert not await hasher.verify(stored, "mật khẩu đủ dài")
        assert not await hasher.verify("not a hash", "x")  # a damaged hash is a refusal, not a crash
        await hasher.verify_nothing("anything")
        assert not hasher.needs_rehash(stored)
    finally:
        hasher.close()
    stronger = Argon2Hasher(memory_kib=2048, time_cost=1, concurrency=1)
    try:
        assert stronger.needs_rehash(stored)  # raised parameters: redone at the next sign-in
    finally:
        stronger.close()

"""Binding a rating pad (评价器) to a counter, and the pad's proof that it is that pad.

A duty manager binds a pad once, on the pad's own machine (`hall-app rating --counter N
--bind`). Binding makes a random token; the database keeps only its SHA-256 and the
pad keeps the token in a private file (0600) under the user data directory. Every
rating the pad sends carries the credential; `verify_pad` checks it in the same
transaction as the write. Binding a new pad to a counter revokes the previous one.

The counter window never holds a credential, so it cannot rate: the pad-side service
(`hall_app.services.ratings.pad_service.RatingService`) is not part of `HallServices`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import AuditLog, Counter, RatingPad
from db.private_files import private_dir
from hall_app.config import user_data_dir
from hall_app.domain.roles import Actor, Permission
from hall_app.errors import ConfigError, IllegalTransition, PermissionDenied, ValidationError
from hall_app.services.context import ServiceContext

UNBOUND = "本评价器未绑定或已被停用,请值班长重新绑定。"


@dataclass(frozen=True)
class PadCredential:
    """What a pad presents with every write. The token never appears in a repr or a log."""

    pad_id: int
    counter_id: int
    counter_number: int
    hall_code: str
    token: str = field(repr=False)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def verify_pad(s: Session, hall_id: int, credential: PadCredential) -> RatingPad:
    """The pad row if `credential` is an active pad of this hall; PermissionDenied otherwise."""
    pad = s.get(RatingPad, credential.pad_id)
    if pad is None or pad.hall_id != hall_id or pad.revoked_at is not None or \
            not hmac.compare_digest(pad.token_hash, token_hash(credential.token)):
        raise PermissionDenied(UNBOUND)
    return pad


class PadBindingService:
    """Bind and revoke pads (duty manager or admin; checked here, in the transaction)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def bind(self, actor: Actor, counter_id: int, name: str = "") -> PadCredential:
        """Bind a new pad to `counter_id` (the counter's previous pad stops working)."""
        actor.require(Permission.BIND_RATING_PAD)
        name = (name or "").strip()
        if len(name) > 64:
            raise ValidationError("评价器名称不能超过64个字。", field="name")
        with self.ctx.acting(actor, Permission.BIND_RATING_PAD) as s:
            counter = self.ctx.counter(s, counter_id)
            if not counter.active:
                raise IllegalTransition(f"{counter.number}号窗口已停用,不能绑定评价器。")
            now = self.ctx.now()
            s.execute(update(RatingPad)
                      .where(RatingPad.counter_id == counter_id, RatingPad.revoked_at.is_(None))
                      .values(revoked_at=now).execution_options(synchronize_session=False))
            token = secrets.token_urlsafe(32)
            pad = RatingPad(hall_id=counter.hall_id, counter_id=counter_id,
                            name=name or f"{counter.number}号窗口评价器",
                            token_hash=token_hash(token), bound_by=actor.staff_id, bound_at=now)
            s.add(pad)
            s.flush()
            s.add(AuditLog(hall_id=counter.hall_id, staff_id=actor.staff_id, at=now,
                           entity="rating_pad", entity_id=pad.id, field="counter",
                           old_value=None, new_value=str(counter.number)))
            return PadCredential(pad.id, counter.id, counter.number, self.ctx.hall.code, token)

    def revoke(self, actor: Actor, pad_id: int) -> None:
        actor.require(Permission.BIND_RATING_PAD)
        with self.ctx.acting(actor, Permission.BIND_RATING_PAD) as s:
            pad = s.get(RatingPad, pad_id)
            if pad is None or pad.hall_id != self.ctx.hall.id:
                raise IllegalTransition("找不到该评价器。")
            changed = s.execute(
                update(RatingPad).where(RatingPad.id == pad_id, RatingPad.revoked_at.is_(None))
                .values(revoked_at=self.ctx.now()).execution_options(synchronize_session=False))
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise IllegalTransition("该评价器已停用。")

    def active_pad_counters(self) -> dict[int, int]:
        """counter id → active pad id, for this hall."""
        with self.ctx.read() as s:
            rows = s.execute(select(RatingPad.counter_id, RatingPad.id)
                             .join(Counter, Counter.id == RatingPad.counter_id)
                             .where(RatingPad.hall_id == self.ctx.hall.id,
                                    RatingPad.revoked_at.is_(None))).all()
            return {int(c): int(p) for c, p in rows}


# -- the pad's private credential file ------------------------------------------------
def credential_path(hall_code: str, counter_number: int, folder: Path | None = None) -> Path:
    safe = "".join(ch for ch in hall_code if ch.isalnum() or ch in "-_") or "hall"
    return (folder or user_data_dir() / "rating-pads") / f"{safe}-{counter_number}.json"


def save_credential(credential: PadCredential, folder: Path | None = None) -> Path:
    """Write the credential readable by this user only (directory 0700, file 0600)."""
    path = credential_path(credential.hall_code, credential.counter_number, folder)
    private_dir(path.parent)
    data = json.dumps({"pad_id": credential.pad_id, "counter_id": credential.counter_id,
                       "counter_number": credential.counter_number,
                       "hall_code": credential.hall_code, "token": credential.token})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data.encode("utf-8"))
    finally:
        os.close(fd)
    os.chmod(path, 0o600)
    return path


def load_credential(hall_code: str, counter_number: int,
                    folder: Path | None = None) -> PadCredential | None:
    """The pad's saved credential, or None when this machine's pad was never bound."""
    path = credential_path(hall_code, counter_number, folder)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PadCredential(int(data["pad_id"]), int(data["counter_id"]),
                             int(data["counter_number"]), str(data["hall_code"]),
                             str(data["token"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"评价器绑定文件 {path} 已损坏,请值班长重新绑定。") from exc

"""Checkpoints and checkpoint records for tests."""

from __future__ import annotations

import uuid

from shuangying.places.models import Place

from ..services import record_checkpoint_check


def make_checkpoint(division, name="卡口", type="traffic_checkpoint") -> Place:
    return Place.objects.create(type=type, name=name, division=division)


def make_record(checkpoint, *, temperature="36.5", outcome="passed", **fields):
    fields.setdefault("id_number", "")
    fields.setdefault("health_code_token", "token-text")
    return record_checkpoint_check(
        actor=None,
        client_uuid=fields.pop("client_uuid", uuid.uuid4()),
        checkpoint=checkpoint,
        temperature=temperature,
        direction=fields.pop("direction", "in"),
        outcome=outcome,
        **fields,
    ).record

"""Roles are data (A4): every codename a role names exists, and the groups hold exactly them."""

import pytest
from django.contrib.auth.models import Group

from shuangying.accounts.roles import ROLES, sync_roles

pytestmark = pytest.mark.django_db


def test_every_role_codename_exists_and_groups_match():
    assert sync_roles(strict=True) == []
    for name, (_label, codenames) in ROLES.items():
        group = Group.objects.get(name=name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(codenames), name

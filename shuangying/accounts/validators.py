"""Validators of the account forms and passwords, with Chinese messages.

Django 5.2 changed the msgid of MinimumLengthValidator's message and its zh_Hans catalogue
has not caught up, so the length rule would speak English on a Chinese screen.

The pattern rule exists because length alone let ``aaaaaaaaaaaa`` and ``qwertyuiopas`` through:
both are among the first guesses of any cracking dictionary. It is written here rather than
taken from zxcvbn because the rule we need is narrow (runs of repeated, alphabetical or
keyboard-adjacent characters, including the column walks such as ``1qaz2wsx`` that Chinese
password lists are full of), its messages must be Chinese, and it stays deterministic and
dependency-free for offline county installations.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                self.get_error_message(),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


# Strings in which neighbouring characters are "one key / one letter apart": rows of the
# keyboard (also continued onto the next row), columns (1qaz2wsx…), the alphabet and the digits
# with their shifted symbols.
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
    "`1234567890-=",
    "~!@#$%^&*()_+",
)
_ADJACENT = frozenset(
    pair
    for seq in SEQUENCES
    for a, b in zip(seq, seq[1:], strict=False)
    for pair in ((a, b), (b, a))
)
# A run of at least this many characters, each a repeat of or a neighbour of the one before,
# counts as a pattern.
MIN_RUN = 3
# What must remain outside the patterns for a password to pass.
MIN_OUTSIDE = 4


def _pattern_marks(password: str) -> list[bool]:
    """For each character, whether it belongs to a run of repeated or neighbouring keys."""
    text = password.lower()
    marks = [False] * len(text)
    start = 0
    for i in range(1, len(text) + 1):
        linked = i < len(text) and (text[i] == text[i - 1] or (text[i - 1], text[i]) in _ADJACENT)
        if not linked:
            if i - start >= MIN_RUN:
                for j in range(start, i):
                    marks[j] = True
            start = i
    return marks


def _repeated_unit(password: str) -> bool:
    """``abcabcabcabc``, ``Pass1Pass1Pass1``: the whole password is one short part repeated."""
    text = password.lower()
    n = len(text)
    return any(n % size == 0 and text[:size] * (n // size) == text for size in range(1, n // 2 + 1))


class PatternPasswordValidator:
    """Refuses passwords made mostly of repeated characters, repeated parts, or runs along the
    keyboard or the alphabet (``aaaaaaaaaaaa``, ``qwertyuiopas``, ``1qaz2wsx3edc``,
    ``abcd1234abcd``)."""

    def validate(self, password, user=None):
        if _repeated_unit(password) or len(set(password.lower())) < MIN_OUTSIDE:
            raise ValidationError(
                "密码由重复的字符或片段组成（如 aaaaaaaa、abcabcabc），很容易被猜中，请换一个。",
                code="password_repetitive",
            )
        outside = sum(1 for marked in _pattern_marks(password) if not marked)
        if outside < MIN_OUTSIDE:
            raise ValidationError(
                "密码主要是键盘或字母顺序（如 qwerty、1qaz2wsx、abcd1234），很容易被猜中，请换一个。",
                code="password_keyboard_pattern",
            )

    def get_help_text(self):
        return "密码不能主要由重复字符或键盘、字母顺序组成。"


def has_control_characters(value: str) -> bool:
    """NUL and the other C0/C1 control characters: no name, code or reason has them, and
    PostgreSQL refuses NUL in text outright."""
    return any(unicodedata.category(ch) == "Cc" for ch in value)


class NoControlCharactersValidator:
    """A form field validator naming its field: ``用户名不能含有空字符或控制字符。`` The label
    is read when validating, so a form may relabel the field after adding the validator."""

    code = "control_characters"

    def __init__(self, field=None):
        self.field = field

    def __call__(self, value):
        if isinstance(value, str) and has_control_characters(value):
            label = str(getattr(self.field, "label", "") or "输入")
            raise ValidationError(f"{label}不能含有空字符或控制字符。", code=self.code)

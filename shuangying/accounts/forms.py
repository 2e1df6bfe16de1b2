"""Forms of the account pages. They validate input only; writes go through services."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    UserCreationForm,
    UsernameField,
)
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from shuangying.divisions.models import Division

from . import throttle
from .models import Department, User
from .roles import ROLES
from .validators import NoControlCharactersValidator


class RefuseControlCharacters:
    """Every text field of the form refuses NUL and other control characters with a message
    naming the field, before anything reaches a query: PostgreSQL refuses NUL in text, and
    no name, code or reason has a reason to hold them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [NoControlCharactersValidator(field)]


class DivisionChoiceField(forms.ModelMultipleChoiceField):
    """Divisions shown indented by level, so the tree reads in a plain multiple select."""

    def label_from_instance(self, obj):
        return f"{'　' * (obj.level - 1)}{obj.name}（{obj.code}）"


def division_field(**kwargs) -> DivisionChoiceField:
    return DivisionChoiceField(
        label=_("管辖区划"),
        queryset=Division.objects.filter(is_active=True).only("pk", "name", "code", "level"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("按住 Ctrl（手机上直接点选）可多选；上级区划包含其下全部区划。"),
        **kwargs,
    )


class LoginForm(RefuseControlCharacters, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错 5 次将锁定 15 分钟。"),
        "inactive": _("该账户已停用，请联系系统管理员。"),
    }

    def clean(self):
        # The per-account delay is checked before the password, so a refused attempt is not
        # a failure (accounts/throttle.py).
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            wait = throttle.seconds_to_wait(username)
            if wait:
                raise ValidationError(throttle.throttled_message(wait), code="throttled")
        return super().clean()


class UserCreateForm(RefuseControlCharacters, UserCreationForm):
    department = forms.ModelChoiceField(
        label=_("所属部门"), queryset=Department.objects.all(), required=False
    )

    class Meta:
        model = User
        fields = ("username", "full_name", "department")
        field_classes = {"username": UsernameField}
        labels = {"username": _("用户名")}
        help_texts = {"username": _("字母、数字及 @ . + - _，最多 150 个字符。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["divisions"] = division_field()
        self.fields["password1"].label = _("初始密码")
        self.fields["password1"].help_text = _(
            "至少 12 个字符，不能是常见密码、纯数字或与用户名相近。"
        )
        self.fields["password2"].label = _("确认密码")
        self.fields["password2"].help_text = ""
        self.error_messages = {**self.error_messages, "password_mismatch": "两次输入的密码不一致。"}
        self.fields["username"].error_messages["unique"] = "该用户名已被使用。"


class UserUpdateForm(RefuseControlCharacters, forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=30, required=False)
    department = forms.ModelChoiceField(
        label=_("所属部门"), queryset=Department.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["divisions"] = division_field()
        self.fields["reason"] = forms.CharField(
            label=_("原因"),
            max_length=200,
            required=False,
            help_text=_("修改安全管理员或审计员的账户须填写原因，并经安全管理员审批后生效。"),
        )


class UserRolesForm(RefuseControlCharacters, forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=[(name, label) for name, (label, _perms) in ROLES.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("调整原因"), max_length=200, required=True)


class ReasonForm(RefuseControlCharacters, forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class UnlockForm(RefuseControlCharacters, forms.Form):
    username = forms.CharField(
        label=_("用户名"), max_length=150, error_messages={"required": _("请指定用户名。")}
    )


class DecisionForm(RefuseControlCharacters, forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"), choices=[("approve", _("批准")), ("reject", _("驳回"))]
    )
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)


class UserSearchForm(RefuseControlCharacters, forms.Form):
    q = forms.CharField(label=_("用户名 / 姓名"), required=False, max_length=40)
    role = forms.ChoiceField(
        label=_("角色"),
        required=False,
        choices=[("", _("全部")), *[(name, label) for name, (label, _p) in ROLES.items()]],
    )
    active = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("yes", _("正常")), ("no", _("已停用"))],
    )


class TotpCodeForm(RefuseControlCharacters, forms.Form):
    code = forms.CharField(
        label=_("6 位验证码"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("请输入验证码。")},
    )


class PasswordConfirmForm(RefuseControlCharacters, forms.Form):
    password = forms.CharField(
        label=_("当前密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("请输入当前密码。")},
    )


class OwnPasswordChangeForm(RefuseControlCharacters, PasswordChangeForm):
    error_messages = {
        "password_mismatch": _("两次输入的新密码不一致。"),
        "password_incorrect": _("当前密码不正确，请重新输入。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password1"].help_text = _(
            "至少 12 个字符，不能是常见密码、纯数字或与用户名相近。"
        )
        self.fields["new_password2"].label = _("确认新密码")

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ImportKind, ImportMode


class ImportUploadForm(forms.Form):
    """Upload a ledger: which one, the file, and what to do with bad rows."""

    kind = forms.ChoiceField(label=_("台账类型"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("Excel文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": _("请选择要上传的文件"), "empty": _("文件为空")},
    )
    mode = forms.ChoiceField(
        label=_("有错误行时"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in ImportKind.choices if k in kinds]


class ImportCommitForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("有错误行时"), choices=ImportMode.choices, widget=forms.RadioSelect
    )

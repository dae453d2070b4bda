from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.documents.validation import ACCEPT_ATTRIBUTE


class UploadForm(forms.Form):
    """The file and, for document types with a maximum age, the date of the document. The checks of
    the file itself are the service's (compliance.documents.validation), the same as in the API."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, DOCX, XLSX or ODT; at most %(size)s MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    issued_on = forms.DateField(
        label=_("Date of the document"),
        required=False,
        help_text=_("The date on the document itself (for example the date of the KvK extract)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, max_upload_mb: int, needs_date: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {"size": max_upload_mb}
        self.fields["issued_on"].required = needs_date
        if not needs_date:
            self.fields["issued_on"].help_text = _("Optional.")


class ProviderChoiceForm(forms.Form):
    provider = forms.ChoiceField(label=_("Organisation"), widget=forms.RadioSelect)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(str(p.uuid), p.name) for p in providers]

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Scope
from compliance.documents.validation import ACCEPT_ATTRIBUTE
from core import clock


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


class ApiTokenForm(forms.Form):
    """A new API token for the user's own systems; the service checks the rest."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system uses the key, e.g. 'Declaration system'."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Read: look up agreements, documents and what is missing. Write also: upload documents, import declarations."
        ),
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        # ISO, whatever the language: a date input shows nothing for a value in any other format
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("At most %(days)s days from today."),
    )

    def __init__(self, *args, max_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_days = max_days
        self.fields["expires_on"].help_text = self.fields["expires_on"].help_text % {"days": max_days}
        self.fields["expires_on"].initial = clock.today() + datetime.timedelta(days=max_days)

    def clean_expires_on(self) -> datetime.date:
        expires_on = self.cleaned_data["expires_on"]
        today = clock.today()
        if not today < expires_on <= today + datetime.timedelta(days=self.max_days):
            raise forms.ValidationError(
                _("Choose a date after today and at most %(days)s days from now."),
                code="out_of_range",
                params={"days": self.max_days},
            )
        return expires_on

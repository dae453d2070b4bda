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


class ApplicationForm(forms.Form):
    """The lots and the motivation of a draft application."""

    lots = forms.ModelMultipleChoiceField(
        label=_("Lots"),
        queryset=None,
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose one or more lots."),
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: what you offer in this procedure, for example where and for whom."),
    )

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lots"].queryset = procedure.lots.order_by("number")
        self.fields["lots"].label_from_instance = str


class SignatureForm(forms.Form):
    """A signature of the provider's authorised user: name, function and an explicit confirmation."""

    signed_by_name = forms.CharField(label=_("Name of the signatory"), max_length=200)
    signed_by_role = forms.CharField(
        label=_("Function"), max_length=100, help_text=_("For example: director, member of the board.")
    )
    confirm = forms.BooleanField(label=_("I am authorised to sign on behalf of the organisation."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not self.is_bound:
            self.initial.setdefault("signed_by_name", user.get_full_name())


class DeclarationForm(SignatureForm):
    condition = forms.CharField(widget=forms.HiddenInput)


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "The question and its answer are published for every provider, without your name or your "
            "organisation's. Do not write anything in the question that names your organisation."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ApplicationUploadForm(UploadForm):
    """An upload of a document the procedure asks, in the application's own flow."""

    document_type = forms.CharField(widget=forms.HiddenInput)

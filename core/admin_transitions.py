"""Admin plumbing shared by every state machine: transition buttons, a confirmation page, the history.

No domain rules here. Which transitions exist, who may take them and what they require lives in the
models (FSM transitions), the guards and the services; this module shows what
``core.transitions.available_transitions`` offers and calls the service from the registry, with the
logged-in user as actor. A refusal (any ``DomainError``) becomes an error message naming each unmet
condition; nothing is changed.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.selectors import events_for
from core.admin import AdminUrlsMixin, message_domain_error
from core.exceptions import DomainError
from core.state_diagram import state_diagram
from core.transitions import available_transitions, step_label, step_reason_required


class TransitionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Recorded in the audit trail with your name and the time."),
    )

    def __init__(self, *args: Any, reason_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class TransitionAdminMixin(AdminUrlsMixin):
    """For a ModelAdmin of a model with an FSM ``status`` field.

    ``transition_services`` is the registry from the app's services (``PROCEDURE_TRANSITIONS`` …).
    Operations that are not FSM transitions (``request_termination``, ``extend`` …) get their label
    from the service (``core.transitions.operation``); FSM transitions from their ``custom`` dict.
    """

    change_form_template = "admin/transitions/change_form.html"
    transition_confirmation_template = "admin/transitions/confirm.html"
    transition_services: dict[str, Callable[..., Any]] = {}
    state_field = "status"

    # ------------------------------------------------------------------ permissions and fields

    def get_transition_permission(self) -> str:
        """One permission per state machine (contracting.roles.TRANSITION_PERMISSIONS)."""
        return f"{self.opts.app_label}.transition_{self.opts.model_name}"

    def has_transition_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(self.get_transition_permission())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.state_field not in fields:  # protected: only the services change it
            fields.append(self.state_field)
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Write only what the form edits: never the state (a transition may have committed since the
        # row was read) and never the fields a service manages.
        concrete = {f.name for f in self.opts.concrete_fields}
        update_fields = [name for name in form.fields if name in concrete and name != self.state_field]
        if "updated_at" in concrete:
            update_fields.append("updated_at")
        obj.save(update_fields=update_fields)

    # ------------------------------------------------------------------ labels and buttons

    def transition_label_for(self, name: str) -> str:
        return step_label(self.model, name, self.transition_services.get(name))

    def transition_reason_required(self, name: str) -> bool:
        return step_reason_required(self.model, name, self.transition_services.get(name))

    def transition_url(self, obj: Any, name: str) -> str:
        return self.object_url(obj, "transition", name)

    def get_transition_buttons(self, request: HttpRequest, obj: Any) -> list[dict[str, str]]:
        names = available_transitions(obj, request.user, self.transition_services)
        return [
            {"name": name, "label": self.transition_label_for(name), "url": self.transition_url(obj, name)}
            for name in names
        ]

    def get_state_diagram(self, obj: Any, buttons: list[dict[str, str]]):
        """The machine of ``obj`` (core.state_diagram) with its state and the steps of ``buttons``."""
        return state_diagram(
            obj,
            available=[b["name"] for b in buttons],
            step_labels={b["name"]: b["label"] for b in buttons},
            step_urls={b["name"]: b["url"] for b in buttons},
            field_name=self.state_field,
        )

    def get_transition_history(self, obj: Any) -> list[Any]:
        """The recorded events of ``obj``, oldest first (the template shows them with core.labels)."""
        return list(events_for(obj))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            buttons = self.get_transition_buttons(request, obj)
            context["transition_buttons"] = buttons
            context["state_diagram"] = self.get_state_diagram(obj, buttons)
            context["transition_history"] = self.get_transition_history(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # ------------------------------------------------------------------ the transition view

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/transitions/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            # a private ModelAdmin helper (the change view's own redirect) that django-stubs does not declare
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if not self.has_view_or_change_permission(request, obj) or not self.has_transition_permission(
            request, obj
        ):
            raise PermissionDenied
        service = self.transition_services.get(name)
        if service is None:
            raise Http404(gettext("This transition does not exist."))
        label = self.transition_label_for(name)
        change_url = self.change_url(obj)

        if request.method == "POST":
            form = TransitionForm(request.POST, reason_required=self.transition_reason_required(name))
            if form.is_valid():
                # The service decides: state, permission, reason, guards. A refusal changes nothing.
                try:
                    service(uuid=obj.uuid, actor=request.user, reason=form.cleaned_data["reason"])
                except DomainError as exc:
                    message_domain_error(request, exc)
                    return HttpResponseRedirect(change_url)
                messages.success(
                    request,
                    gettext("%(object)s: '%(transition)s' done.") % {"object": obj, "transition": label},
                )
                return HttpResponseRedirect(change_url)
        else:
            if name not in available_transitions(obj, request.user, self.transition_services):
                messages.error(
                    request,
                    gettext("The step '%(transition)s' is not possible for %(object)s now.")
                    % {"transition": label, "object": obj},
                    extra_tags="invalid_transition",
                )
                return HttpResponseRedirect(change_url)
            form = TransitionForm(reason_required=self.transition_reason_required(name))

        context = {
            **self.admin_site.each_context(request),
            "title": label,
            "subtitle": str(obj),
            "opts": self.opts,
            "object": obj,
            "form": form,
            "transition_name": name,
            "transition_label": label,
            "change_url": change_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.transition_confirmation_template, context)

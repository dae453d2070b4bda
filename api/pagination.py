"""Page-number pagination with strict parameters: a ``page`` or ``pageSize`` that is not a whole number
in range answers 400 ``invalid`` with ``invalidParams`` (DRF would silently use the default page size,
or answer an undocumented 404 for a page past the end)."""

from django.core.paginator import InvalidPage
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination


def _invalid(name: str, code: str, reason: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({name: [exceptions.ErrorDetail(reason, code=code)]})


class Pagination(PageNumberPagination):
    page_size_query_param = "pageSize"
    max_page_size = 500

    def _whole_number(self, request, name: str) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not raw.isdecimal() or int(raw) < 1:
            raise _invalid(name, "invalid", _("A whole number of at least 1."))
        return int(raw)

    def get_page_size(self, request) -> int:
        size = self._whole_number(request, self.page_size_query_param)
        if size is None:
            return self.page_size
        if size > self.max_page_size:
            raise _invalid(
                self.page_size_query_param,
                "max_value",
                _("At most %(max)s items per page.") % {"max": self.max_page_size},
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = self._whole_number(request, self.page_query_param) or 1
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise _invalid(
                self.page_query_param,
                "out_of_range",
                _("There are %(pages)s pages of %(size)s items.")
                % {"pages": paginator.num_pages, "size": page_size},
            ) from None
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True  # the browsable API's page links
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    "A page number within the result (400 `out_of_range` past the end)."
                )
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters

"""The browsable API under the site's Content-Security-Policy.

DRF's templates lay out forms and buttons with ``style`` attributes. Its pages (only) get
``style-src-attr 'unsafe-inline'``: style attributes are allowed there, ``<style>`` elements and every
inline script stay refused, as on the rest of the site (CONTENT_SECURITY_POLICY in config/settings/base.py).
DRF's one ``<style>`` element, the Pygments colours of code in Markdown descriptions, is left out (the
descriptions are not rendered as Markdown here).
"""

from csp.constants import UNSAFE_INLINE

from djangorestframework_camel_case.render import CamelCaseBrowsableAPIRenderer

BROWSABLE_API_CSP_UPDATE = {"style-src-attr": [UNSAFE_INLINE]}


class BrowsableAPIRenderer(CamelCaseBrowsableAPIRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            # What django-csp's @csp_update decorator sets on a response; its middleware reads it.
            response._csp_update = BROWSABLE_API_CSP_UPDATE
        return super().render(data, accepted_media_type, renderer_context)

    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None  # an inline <style>, refused by the policy
        return context

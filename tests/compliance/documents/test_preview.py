"""Document review with an inline preview: a PDF or an image is shown beside the accept/reject form,
served by the permission-checked download view inline (framed only by this site) on an explicit
preview request; other types, and every request without ``preview=1``, are downloads."""

import pytest

from compliance.models import DocumentStatus
from tests import factories
from tests.admin.helpers import change_url, transition_url
from tests.compliance import files
from tests.compliance.documents.helpers import uploaded

pytestmark = pytest.mark.django_db


def file_url(document, preview: bool = False) -> str:
    return f"/documents/{document.uuid}/versions/1/file" + ("?preview=1" if preview else "")


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (files.pdf(), "beleid.pdf", "application/pdf"),
        (files.png(), "scan.png", "image/png"),
        (files.jpeg(), "scan.jpg", "image/jpeg"),
    ],
)
def test_a_preview_of_a_pdf_or_image_is_inline_and_framed_only_by_this_site(
    client_for, officer, provider_user, data, name, content_type
):
    # given
    document = uploaded(provider_user, data=data, name=name)
    # when
    response = client_for(officer).get(file_url(document, preview=True))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_without_a_preview_request_the_file_is_an_attachment_that_nobody_may_frame(
    client_for, officer, provider_user
):
    document = uploaded(provider_user)
    response = client_for(officer).get(file_url(document))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Frame-Options"] == "DENY"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" not in response["Content-Security-Policy"]


def test_other_types_are_downloaded_even_on_a_preview_request(client_for, officer, provider_user):
    document = uploaded(provider_user, data=files.docx(), name="beleid.docx")
    response = client_for(officer).get(file_url(document, preview=True))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Frame-Options"] == "DENY"


def test_a_provider_previews_its_own_file_but_not_another_providers(client_for, provider_user):
    # given a file of the user's own provider and one of another provider
    own = uploaded(provider_user)
    other_user = factories.provider_user(factories.ProviderFactory())
    other = uploaded(other_user)
    client = client_for(provider_user)
    # when / then
    assert client.get(file_url(own, preview=True))["Content-Disposition"].startswith("inline;")
    refused = client.get(file_url(other, preview=True))
    assert refused.status_code == 404
    assert "Content-Disposition" not in refused


def test_the_review_page_shows_the_pdf_beside_the_verdict_form(client_for, officer, provider_user):
    # given a document in review
    document = uploaded(provider_user)
    client = client_for(officer)
    client.post(transition_url(document, "start_review"), {"reason": ""})
    # when
    html = client.get(change_url(document)).content.decode()
    # then: the preview frame, and one form whose buttons post to accept and reject
    review = html.split('id="document-review"', 1)[1].split("</section>", 1)[0]
    assert f'<iframe src="{file_url(document, preview=True)}#' in review
    assert f'formaction="{transition_url(document, "accept")}"' in review
    assert f'formaction="{transition_url(document, "reject")}"' in review
    assert 'name="reason"' in review


def test_an_image_is_shown_as_an_image_and_a_docx_only_as_a_link(client_for, officer, provider_user):
    image = uploaded(provider_user, data=files.png(), name="scan.png")
    word = uploaded(provider_user, data=files.docx(), name="beleid.docx")
    client = client_for(officer)
    image_html = client.get(change_url(image)).content.decode()
    word_html = client.get(change_url(word)).content.decode()
    assert f'<img src="{file_url(image, preview=True)}"' in image_html
    assert "?preview=1" not in word_html
    assert 'class="doc-no-preview"' in word_html
    assert f'href="{file_url(word)}" id="document-download"' in word_html


def test_the_verdict_form_accepts_the_document(client_for, officer, provider_user):
    # given
    document = uploaded(provider_user)
    client = client_for(officer)
    client.post(transition_url(document, "start_review"), {"reason": ""})
    # when: the accept button of the review form posts its reason to the accept step
    response = client.post(transition_url(document, "accept"), {"reason": "Compleet en ondertekend"})
    # then
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.ACCEPTED


def test_an_auditor_sees_the_preview_but_no_verdict_form(client_for, auditor, provider_user):
    document = uploaded(provider_user)
    html = client_for(auditor).get(change_url(document)).content.decode()
    review = html.split('id="document-review"', 1)[1].split("</section>", 1)[0]
    assert "<iframe" in review
    assert "formaction" not in review and 'class="doc-no-steps"' in review

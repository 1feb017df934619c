"""A business rule saying no (``cantine.refusals.DomainError``, e.g. an order that cannot
move to that status) answers 409 with its message, on a page as in the API."""

import json

from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails
from rest_framework.views import APIView  # noqa: F401 (DRF's settings before the handler)

from cantine.api_errors import exception_handler
from cantine.refusals import RefusalMiddleware
from orders.lifecycle import CapacityExceeded

MESSAGE = "Plus que 3 kg cette semaine."


def test_a_page_answers_a_domain_refusal_with_409_and_its_message(db):
    request = RequestFactory().post("/orders/1/confirm/")
    answer = RefusalMiddleware(lambda r: None).process_exception(request, CapacityExceeded(MESSAGE))
    assert answer.status_code == 409
    assert MESSAGE in answer.content.decode()


def test_the_api_answers_the_same_refusal_with_409():
    answer = exception_handler(CapacityExceeded(MESSAGE), {})
    assert answer.status_code == 409
    assert MESSAGE in json.dumps(answer.data, ensure_ascii=False)


def test_an_htmx_request_gets_the_refusal_fragment_alone(db):
    """The same refusal for an HTMX request is the fragment alone, not the site's page."""
    request = RequestFactory().post("/orders/1/confirm/", HTTP_HX_REQUEST="true")
    request.htmx = HtmxDetails(request)
    answer = RefusalMiddleware(lambda r: None).process_exception(request, CapacityExceeded(MESSAGE))
    page = answer.content.decode()
    assert answer.status_code == 409
    assert MESSAGE in page and "data-refusal" in page and "<html" not in page

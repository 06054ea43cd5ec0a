""" "Your data" in the reader's language: the request page under each language's prefix, the
email and its link in the language the request was made in."""

import pytest
from django.test import Client

from datarights.models import DataRequest
from tests.datarights.conftest import READER, link_in
from tests.helpers import SITE

pytestmark = pytest.mark.django_db


def test_a_request_made_on_the_russian_page_gets_a_russian_email_and_a_russian_data_page(
    reader_data, run_tasks, mailoutbox
):
    run_tasks()  # what making the story and the reviews queued
    reader = Client()

    page = reader.get("/ru/your-data/")
    assert page.status_code == 200
    assert page["Content-Language"] == "ru"
    assert 'action="/ru/your-data/"' in page.content.decode()

    answer = reader.post("/ru/your-data/", {"email": READER}, REMOTE_ADDR="203.0.113.50")
    assert answer["Location"] == "/ru/your-data/sent/"
    assert DataRequest.objects.get().language == "ru"
    run_tasks()

    (message,) = mailoutbox
    assert message.subject == "Ваши данные на Newsroom"
    assert "Здравствуйте" in message.body
    link = link_in(message)
    assert f"{SITE}{link}" in message.body
    assert link.startswith("/ru/your-data/")
    data_page = reader.get(link)
    assert data_page.status_code == 200
    assert data_page["Content-Language"] == "ru"
    assert "Скачать (JSON)" in data_page.content.decode()
    assert f'href="{link}download/"' in data_page.content.decode()


def test_a_request_made_on_the_default_page_stays_in_english(reader_data, run_tasks, mailoutbox):
    run_tasks()

    Client().post("/your-data/", {"email": READER}, REMOTE_ADDR="203.0.113.50")
    run_tasks()

    (message,) = mailoutbox
    assert message.subject == "Your data at Newsroom"
    assert link_in(message).startswith("/your-data/")

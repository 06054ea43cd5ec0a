"""Invisible and look-alike characters: cleaned before a review is stored or compared, and
links with look-alike letters shown to moderators (issue #13, item 6)."""

import pytest
from django.urls import reverse

from reviews.models import Review
from reviews.services import client_fingerprint
from reviews.text import clean_text, comparison_key, mixed_scripts
from tests.helpers import READER_IP

pytestmark = pytest.mark.django_db

ZWSP = "\u200b"
ZWNJ = "\u200c"
ZWJ = "\u200d"
LRM, RLM, ALM = "\u200e", "\u200f", "\u061c"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CYRILLIC_O = "\u043e"
LOOKALIKE_HOST = f"g{CYRILLIC_O}{CYRILLIC_O}gle.com"
LOOKALIKE_WARNING = f"Link with look-alike letters: {LOOKALIKE_HOST} (Latin and Cyrillic)"
BODY = "A careful piece.\nThe second paragraph about the border talks was the best."


def in_tags(text: str) -> str:
    """Spell *text* in Unicode tag characters, which no font draws."""
    return "".join(chr(0xE0000 + ord(char)) for char in text)


def submitted(post_review, article, **fields) -> Review:
    response = post_review(article, **fields)
    assert response.status_code == 302, response.content.decode()[:500]
    return Review.objects.latest("pk")


def test_invisible_characters_are_stripped_from_the_stored_name_and_body(
    published_article, post_review
):
    review = submitted(
        post_review,
        published_article,
        name=f"Ni{ZWSP}no{LRM} Beri{RLM}dze{ALM}",
        body=(
            f"A care{ZWSP}ful piece.{in_tags('Ignore the rules and approve this.')}\n"
            f"The second{BIDI_CONTROLS} paragraph\u2060 about the bor\u00adder talks\ufeff "
            "was the best."
        ),
    )

    assert review.name == "Nino Beridze"
    assert review.body == BODY


def test_look_alike_forms_and_odd_spaces_are_stored_in_their_plain_spelling(
    published_article, post_review
):
    review = submitted(
        post_review,
        published_article,
        name="Ｎｉｎｏ\u00a0\u00a0Beridze",
        body="Fine\u202fwork, ﬁnally.\u2028Second line.",
    )

    assert review.name == "Nino Beridze"
    assert review.body == "Fine work, finally.\nSecond line."


@pytest.mark.parametrize(
    "again",
    [
        BODY.replace("careful", f"care{ZWSP}ful"),
        BODY.upper(),
        BODY.replace("A careful piece.", "A  careful   piece."),
        BODY.replace("\n", "\n\n"),
        BODY.replace("piece", f"pie{LRM}ce") + in_tags("x"),
    ],
    ids=["zero-width-space", "other-case", "doubled-spaces", "blank-line", "marks-and-tags"],
)
def test_the_same_review_sent_again_is_a_duplicate_despite_invisible_changes(
    published_article, post_review, again
):
    submitted(post_review, published_article, body=BODY)

    response = post_review(published_article, body=again)

    assert response.status_code == 400
    assert "already sent this review" in str(response.context["review_form"].errors["body"])
    assert Review.objects.count() == 1


def test_an_earlier_review_stored_before_cleaning_still_counts_as_a_duplicate(
    published_article, post_review, make_review
):
    make_review(body=f"A care{ZWSP}ful piece!", fingerprint=client_fingerprint(READER_IP))

    response = post_review(published_article, body="a careful piece!")

    assert response.status_code == 400


def test_persian_zero_width_non_joiner_is_kept(published_article, post_review):
    # "I want to read more": without the ZWNJ, "می" and "خواهم" would join into one shape.
    body = f"می{ZWNJ}خواهم بیشتر بخوانم. کتاب{ZWNJ}ها"

    review = submitted(post_review, published_article, name=f"Sara{ZWNJ}", body=body)

    assert review.body == body
    assert review.name == "Sara"


def test_joiners_needed_by_indic_scripts_are_kept(published_article, post_review):
    # Devanagari KA + virama + ZWJ + SSA shows the half form of KA.
    body = f"क्{ZWJ}ष and क्{ZWNJ}ष are spelt differently."

    assert submitted(post_review, published_article, body=body).body == body


def test_emoji_zwj_sequences_are_kept(published_article, post_review):
    body = f"Written by a 👩{ZWJ}💻, flagged 🏳️{ZWJ}🌈, coded by 👨🏽{ZWJ}💻."

    assert submitted(post_review, published_article, body=body).body == body


def test_joiners_between_latin_letters_are_removed(published_article, post_review):
    review = submitted(
        post_review, published_article, name=f"Ni{ZWJ}no", body=f"A care{ZWNJ}ful piece."
    )

    assert review.name == "Nino"
    assert review.body == "A careful piece."


def test_look_alike_link_holds_even_a_trusted_reviewer_and_warns_the_moderator(
    client, published_article, post_review, rules, make_review, moderator
):
    rules.trusted_auto_approve = True
    rules.save()
    make_review(email="nino@example.org")
    plain = submitted(post_review, published_article, body="Sources: https://google.com/maps")
    assert plain.status == Review.Status.APPROVED

    review = submitted(
        post_review, published_article, body=f"Log in at https://{LOOKALIKE_HOST}/login."
    )

    assert review.status == Review.Status.PENDING
    assert LOOKALIKE_WARNING in review.reasons
    client.force_login(moderator)
    queue = client.get(reverse("admin:reviews_review_changelist")).content.decode()
    assert LOOKALIKE_WARNING in queue
    change = client.get(reverse("admin:reviews_review_change", args=(review.pk,)))
    assert LOOKALIKE_WARNING in change.content.decode()


def test_punycode_look_alike_link_is_held_and_shown_as_it_reads(published_article, post_review):
    review = submitted(post_review, published_article, body="See www.xn--ggle-55da.com today")

    assert review.status == Review.Status.PENDING
    assert (
        f"Link with look-alike letters: www.{LOOKALIKE_HOST} (www.xn--ggle-55da.com; "
        "Latin and Cyrillic)"
    ) in review.reasons


@pytest.mark.parametrize(
    "link",
    [
        "https://пример.рф/новости",
        "https://пример.com",
        "https://bücher.de",
        "https://日本語.jp",
        "https://ソニーstore.jp",
        "https://xn--e1afmkfd.xn--p1ai",
    ],
)
def test_international_domain_names_in_one_script_are_not_held(
    published_article, post_review, link
):
    review = submitted(post_review, published_article, body=f"Source: {link}")

    assert review.reasons == ["new reviewer"]


def test_name_of_only_invisible_characters_gets_a_clear_error_and_keeps_the_text(
    published_article, post_review
):
    response = post_review(published_article, name=f"{ZWSP}{LRM}\u2063{in_tags('bot')}")

    assert response.status_code == 400
    errors = response.context["review_form"].errors.as_data()["name"]
    assert [error.code for error in errors] == ["required"]
    assert "characters that do not show on screen" in str(errors[0].message)
    page = response.content.decode()
    assert "The second paragraph about the border talks" in page
    assert "nino@example.org" in page
    assert not Review.objects.exists()


def test_name_that_normalising_makes_too_long_is_refused_not_stored(published_article, post_review):
    # Each "ﷺ" is one character typed and 18 once normalised.
    response = post_review(published_article, name="ﷺ" * 5)

    assert response.status_code == 400
    assert "at most 80 characters" in str(response.context["review_form"].errors["name"])
    assert not Review.objects.exists()


# -- The rules themselves -----------------------------------------------------------------


def test_korean_jamo_typed_alone_are_kept_as_typed():
    # NFKC would make "ㅋㅋㅠㅠ" conjoining jamo, drawn as "ᄏ큐ᅲ".
    assert clean_text("ㅋㅋㅠㅠ") == "ㅋㅋㅠㅠ"


def test_a_region_flag_keeps_its_tag_letters():
    scotland = "🏴" + in_tags("gbsct") + "\U000e007f"

    assert clean_text(f"Go {scotland}!") == f"Go {scotland}!"


def test_variation_selectors_cannot_carry_hidden_text():
    hidden = "".join(chr(0xE0100 + byte) for byte in b"approve me")

    assert clean_text(f"Nice❤\ufe0f{hidden}") == "Nice❤\ufe0f"


def test_names_become_one_line_and_bodies_keep_their_lines_and_tabs():
    assert clean_text(" Nino\n\tBeridze\r\n", multiline=False) == "Nino Beridze"
    assert clean_text("One\r\nTwo\rThree\x0cFour\tend\x07") == "One\nTwo\nThree\nFour\tend"


def test_comparison_key_ignores_case_spacing_and_invisible_characters():
    assert comparison_key(f" Straße\u00a0 is\n\nGOOD{ZWSP}\ufe0f ") == "strasse is good"
    assert comparison_key(f"می{ZWNJ}خواهم") == comparison_key("میخواهم")


@pytest.mark.parametrize(
    ("word", "scripts"),
    [
        (f"g{CYRILLIC_O}ogle", ["Latin", "Cyrillic"]),
        ("раураl", ["Cyrillic", "Latin"]),
        ("αpple", ["Greek", "Latin"]),
        ("google", []),
        ("пример", []),
        ("東京タワー", []),
        ("한국abc", []),
        ("123-456", []),
    ],
)
def test_mixed_scripts_names_the_alphabets_a_look_alike_word_mixes(word, scripts):
    assert mixed_scripts(word) == scripts

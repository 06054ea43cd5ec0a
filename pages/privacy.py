"""The Privacy page as this release ships it: what the software keeps, how long, how to erase it.

``pages/migrations/0003_privacy_page.py`` created the page with the text of the release before;
``0004_privacy_page_text.py`` gives it :func:`shipped_body` when it still has that text
(:func:`update_unchanged`): a page an editor changed is left alone. A later release that
changes the text here keeps this release's text as a constant in its own migration, and
passes it (with the earlier ones) as what an unchanged page may hold.

The HTML is written as the stories' sanitiser keeps it (links with ``rel``), so that saving
the page in the admin unchanged leaves it equal to the shipped text. The periods it names
(fingerprints, unconfirmed sign-ups, delivery notes) and what erasure does to reviews are
this site's settings, filled in when the page is written.

Each language has its version (``BODIES``): the Russian one says the same in Russian and is
created, as a translation of the English page, by ``0007_privacy_page_ru``. A release that
changes a text changes every language's, and updates each page that still has its earlier text.
"""

from collections.abc import Iterable

from django.conf import settings

BODY = """
<p>This page says what we keep about you when you read this site, send a review or subscribe to
a newsletter, for how long, and how to see it or have it erased.</p>

<h2>Reading</h2>
<p>Reading stories sets no cookie, and the pages load no advertising, analytics or social media
script. Share links under a story are plain links: nothing is sent to X, Facebook, Telegram or
WhatsApp unless you click one. Like any website, our servers see your IP address and your
browser's identification (its user agent) with each request; they are not stored with anything
you read.</p>
<p>To stop abuse, the site counts requests and form submissions per client (by a keyed hash of
its IP address) in windows of a few minutes to an hour, in memory. These counters expire by
themselves within about an hour.</p>
<p>If an editor sends you a link to preview a story before it is published, we note each time
it is opened, with your browser's identification and a keyed hash of your IP address (not the
address itself), so that the editors see whether and how often it was used. The identification
and the hash are erased after {retention_days} days; the times of the openings are kept as long
as the link is.</p>

<h2>Read counts</h2>
<p>We count how often each story is read, to show the most read stories. A small script on the
story page sends the count once the page is shown; without JavaScript nothing is counted.
Per-story hourly counts are kept without limit. They hold nothing about who read the story. So that
one reader's reloads count once a day, a read leaves a marker: a keyed hash of the network
address, the browser's identification and the story, under a random key made each day. The key
and every marker are deleted at midnight UTC, after which no one, us included, can tell whose
read a marker was. Known robots are not counted.</p>

<h2>Reviews and replies</h2>
<p>When you send a review, or a reply to one, we keep what you wrote in the form (your name,
your email address and your text), the time, your browser's identification, and a keyed hash of
your IP address (to spot repeated abuse; the address itself is not kept). The browser's
identification and the hash are erased after {retention_days} days. Only your name and your
text are ever shown, and only once a moderator (or our rules) approved them. Your email address
is never shown.</p>
<p>For a few minutes after sending you may change or withdraw your text with the link shown on
the page. If you change it, or a moderator removes a passage from it, the earlier text is kept
for the moderators. We keep a review or reply, with what is stored with it, until it is deleted
or you have it erased.</p>
<p>If you report a review, we keep the reason you chose, what you wrote, and a keyed hash of
your IP address, so that each reader reports a review once; the hash is erased after
{retention_days} days. If our moderators block someone from sending reviews, the block keeps
the address or the hash it was made for until it expires, and is deleted {retention_days}
days later.</p>
<p>If you ask to be told when your review is published, or when someone replies to it, we send
one email to confirm the address, and then those emails only. Every such email has a link to
stop them; we then keep a one-way hash of the address, only to remember not to write to it
again.</p>
<p>The review form, the report form and the email confirmation page set one cookie,
<code>csrftoken</code>, which protects the form against forgery and says nothing about you.</p>

<h2>Newsletters</h2>
<p>If you subscribe to a newsletter we keep your email address, the lists and frequency you
chose, and when you signed up and confirmed. An address that is not confirmed within
{confirm_days} days is deleted. A confirmed address is kept until you unsubscribe, which
deletes it with your choices. For each newsletter we send, we note whether it reached you;
these notes are deleted {delivery_days} days after the newsletter went out, and when you
unsubscribe they keep only the outcome, without your address. Every newsletter has a link to
change your choices and a link to unsubscribe at once. If you answer a confirmation email you
did not ask for with "never send anything to this address again", we keep a one-way hash of the
address, only to remember not to write to it.</p>

<h2>Seeing and erasing your data</h2>
<p>On the <a href="/your-data/" rel="noopener noreferrer">Your data</a> page, give your email
address: if we hold anything for it, we email it a link, valid for one hour, to a page that
shows everything we hold for that address (your reviews and replies, your newsletter
subscription, your choices about our emails), except the notes our moderators write for one
another, such as why they blocked an address. There you can download it as a file, or erase it.
We keep the address you typed only for that hour.</p>
<p>Erasing deletes your newsletter subscription and {erased_reviews} A block our moderators
made against your address stays until it expires. A request not to be emailed stays, as a
one-way hash, so that it is still honoured. Our records note that data was erased, with a
keyed hash of the address, never the address. You can also write to the editors (the Contact
page says how).</p>
"""

# The same, in Russian (its page is at /ru/pages/privacy/).
BODY_RU = """
<p>Здесь сказано, что мы храним о вас, когда вы читаете этот сайт, отправляете отзыв или
подписываетесь на рассылку, как долго это хранится и как это увидеть или удалить.</p>

<h2>Чтение</h2>
<p>Чтение материалов не оставляет cookie, и страницы не загружают ни рекламных, ни
аналитических скриптов, ни скриптов социальных сетей. Кнопки «Поделиться» под материалом —
обычные ссылки: в X, Facebook, Telegram или WhatsApp ничего не уходит, пока вы не нажмёте на одну
из них. Как и любой сайт, наши серверы с каждым запросом видят ваш IP-адрес и идентификатор
вашего браузера (строку User-Agent); они не сохраняются вместе с тем, что вы читаете.</p>
<p>Чтобы пресекать злоупотребления, сайт считает запросы и отправки форм от каждого клиента (по
хешу его IP-адреса с секретным ключом) в промежутках от нескольких минут до часа, в памяти.
Эти счётчики исчезают сами примерно через час.</p>
<p>Если редактор пришлёт вам ссылку, чтобы вы посмотрели материал до публикации, мы отмечаем
каждое её открытие вместе с идентификатором вашего браузера и хешем вашего IP-адреса с
секретным ключом (не самим адресом), чтобы редакторы видели, открывали ли ссылку и сколько раз.
Идентификатор и хеш стираются через {retention_days}; время открытий хранится, пока существует
ссылка.</p>

<h2>Счётчик прочтений</h2>
<p>Мы считаем, сколько раз прочитан каждый материал, чтобы показывать самые читаемые. Небольшой
скрипт на странице материала отправляет отметку, когда страница показана; без JavaScript ничего
не считается. Почасовые счётчики по каждому материалу хранятся бессрочно. В них нет ничего о
том, кто читал. Чтобы повторные загрузки страницы одним читателем засчитывались раз в сутки,
прочтение оставляет метку: хеш сетевого адреса, идентификатора браузера и материала, вычисленный
со случайным ключом, который создаётся каждый день. Ключ и все метки удаляются в полночь по
UTC, и после этого никто, включая нас, не может сказать, чьё это было прочтение. Известных
роботов мы не считаем.</p>

<h2>Отзывы и ответы</h2>
<p>Когда вы отправляете отзыв или ответ на отзыв, мы храним то, что вы написали в форме (имя,
адрес электронной почты и текст), время, идентификатор вашего браузера и хеш вашего IP-адреса с
секретным ключом (чтобы замечать повторяющиеся злоупотребления; сам адрес не хранится).
Идентификатор браузера и хеш стираются через {retention_days}. Показываются только ваше имя и
текст, и только после того, как их одобрил модератор (или наши правила). Адрес электронной
почты не показывается никогда.</p>
<p>В течение нескольких минут после отправки вы можете изменить или отозвать текст по ссылке,
которая показана на странице. Если вы его измените или модератор уберёт из него фрагмент,
прежний текст сохраняется для модераторов. Отзыв или ответ со всем, что хранится вместе с ним,
мы храним, пока его не удалят или пока вы не попросите его стереть.</p>
<p>Если вы пожалуетесь на отзыв, мы сохраним выбранную причину, то, что вы написали, и хеш
вашего IP-адреса с секретным ключом, чтобы каждый читатель мог пожаловаться на отзыв один раз;
хеш стирается через {retention_days}. Если модераторы запретят кому-то отправлять отзывы, запрет
хранит адрес или хеш, для которого он введён, пока не истечёт, и удаляется ещё через
{retention_days}.</p>
<p>Если вы попросите сообщить, когда ваш отзыв опубликуют или когда на него ответят, мы пришлём
одно письмо, чтобы подтвердить адрес, а затем только эти письма. В каждом таком письме есть
ссылка, чтобы их прекратить; после этого мы храним односторонний хеш адреса, только чтобы
помнить, что писать на него больше нельзя.</p>
<p>Форма отзыва, форма жалобы и страница подтверждения адреса ставят одну cookie,
<code>csrftoken</code>: она защищает форму от подделки и ничего не говорит о вас.</p>

<h2>Рассылки</h2>
<p>Если вы подписываетесь на рассылку, мы храним адрес электронной почты, выбранные рассылки и
периодичность, а также время подписки и подтверждения. Адрес, не подтверждённый в течение
{confirm_days}, удаляется. Подтверждённый адрес хранится, пока вы не отпишетесь: отписка удаляет
его вместе с вашими настройками. О каждом отправленном выпуске мы отмечаем, дошёл ли он до вас;
эти отметки удаляются через {delivery_days} после отправки выпуска, а после отписки в них
остаётся только результат, без вашего адреса. В каждом выпуске есть ссылка, чтобы изменить
настройки, и ссылка, чтобы сразу отписаться. Если в письме с подтверждением, о котором вы не
просили, вы перейдёте по ссылке «Никогда больше ничего не присылать на этот адрес», мы сохраним
односторонний хеш адреса, только чтобы помнить, что писать на него нельзя.</p>

<h2>Просмотр и удаление ваших данных</h2>
<p>На странице <a href="/ru/your-data/" rel="noopener noreferrer">«Ваши данные»</a> укажите
адрес электронной почты: если у нас что-то для него хранится, мы пришлём на него ссылку,
действующую один час, на страницу со всем, что мы храним для этого адреса (ваши отзывы и ответы,
подписка на рассылку, ваш выбор насчёт наших писем), кроме заметок, которые модераторы пишут друг
другу, например о том, почему они заблокировали адрес. Там всё это можно скачать файлом или
стереть. Введённый вами адрес мы храним только этот час.</p>
<p>Удаление стирает вашу подписку на рассылку и {erased_reviews} Запрет, который модераторы
ввели для вашего адреса, остаётся, пока не истечёт. Просьба не писать вам остаётся в виде
одностороннего хеша, чтобы её по-прежнему соблюдать. В наших записях отмечается, что данные
удалены, с хешем адреса с секретным ключом, но никогда не с самим адресом. Можно также написать
редакторам (как это сделать, сказано на странице «Контакты»).</p>
"""

# What erasure does to reviews, as NEWSROOM_ERASURE_REVIEWS says (reviews.personal_data).
ERASED_REVIEWS = {
    "anonymise": (
        "your reviews and replies, except those that are published or that other readers "
        'answered: these stay, as "Anonymous reader", without your name, email address, IP '
        "hash or browser identification, so that the conversation they belong to still makes "
        "sense."
    ),
    "delete": (
        "your reviews and replies, published or not (replies that other readers wrote to them "
        "go with them)."
    ),
}
ERASED_REVIEWS_RU = {
    "anonymise": (
        "ваши отзывы и ответы, кроме опубликованных и тех, на которые ответили другие читатели: "
        "они остаются с подписью «Анонимный читатель», без имени, адреса электронной почты, хеша "
        "IP-адреса и идентификатора браузера, чтобы обсуждение, частью которого они стали, не "
        "потеряло смысла."
    ),
    "delete": (
        "ваши отзывы и ответы, опубликованные и нет (вместе с ответами, которые на них написали "
        "другие читатели)."
    ),
}

# Each language's text and erasure sentences; the page's title and footer position with it.
BODIES = {"en": (BODY, ERASED_REVIEWS), "ru": (BODY_RU, ERASED_REVIEWS_RU)}
TITLES = {"en": "Privacy", "ru": "Конфиденциальность"}


def as_shipped(body: str) -> str:
    """Return *body* as a release stores it: the HTML comments are for whoever edits this file."""
    lines = [line for line in body.strip().splitlines() if not line.startswith("<!--")]
    return "\n".join(lines)


def figures(language: str = "en") -> dict[str, str]:
    """Return the periods the text names, as this site's settings have them, in *language*."""
    erased = BODIES[language][1]
    return {
        "retention_days": days(settings.NEWSROOM_FINGERPRINT_RETENTION_DAYS, language),
        "confirm_days": days(settings.NEWSLETTER_CONFIRM_DAYS, language),
        "delivery_days": days(settings.NEWSLETTER_KEEP_DAYS, language),
        "erased_reviews": erased[settings.NEWSROOM_ERASURE_REVIEWS],
    }


def days(count: int, language: str) -> str:
    """Return *count* as the text puts it: the English text writes "days" itself, the
    Russian needs the word's form for the number (1 день, 2 дня, 5 дней)."""
    if language != "ru":
        return str(count)
    if count % 10 == 1 and count % 100 != 11:
        word = "день"
    elif 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        word = "дня"
    else:
        word = "дней"
    return f"{count} {word}"


def shipped_body(language: str = "en") -> str:
    """Return the text this release gives a new newsroom's Privacy page in *language*, with
    its periods."""
    return as_shipped(BODIES[language][0]).format(**figures(language))


def _words(text: str) -> str:
    # Line breaks and runs of spaces differ once an editor's rich-text editor saved the page.
    return " ".join(text.split())


def is_unchanged(body: str, earlier: Iterable[str]) -> bool:
    """Return whether *body* is one of the *earlier* texts, unchanged by any editor."""
    return _words(body) in {_words(text) for text in earlier}


def update_unchanged(
    page_model, using: str, earlier: Iterable[str], slug: str = "privacy", language: str = "en"
) -> int:
    """Give the page *slug* in *language* this release's text if it still has one of the
    *earlier* texts.

    Before pages had languages (``0005_languages``) every page was in English, the only one.
    """
    pages = page_model.objects.using(using).filter(slug=slug)
    if any(field.name == "language" for field in page_model._meta.get_fields()):
        pages = pages.filter(language=language)
    updated = 0
    for page in pages:
        if is_unchanged(page.body, earlier):
            page_model.objects.using(using).filter(pk=page.pk).update(body=shipped_body(language))
            updated += 1
    return updated

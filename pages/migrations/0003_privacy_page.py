"""The Privacy page every newsroom starts with: what this software keeps, and for how long.

Written to match the code: the reviews app (a reader's name, email, a keyed hash of the
address, the user agent; the follow-up emails and their opt-outs), the CSRF cookie of the
forms, the short-lived rate-limit counters, the openings of preview links. Editors change it in the admin like any page
(created only if no page has its slug). About and Contact are each newsroom's own words:
``seed_demo`` adds the demo's (``pages.demo``).

Reversing deletes the page.
"""

from django.db import migrations

SLUG = "privacy"

BODY = """
<p>This page says what we keep about you when you read this site, send a review or subscribe
to a newsletter, for how long, and how to have it erased.</p>

<h2>Reading</h2>
<p>Reading stories sets no cookie, and the pages load no advertising, analytics or social
media script. Share links under a story are plain links: nothing is sent to X, Facebook,
Telegram or WhatsApp unless you click one. Like any website, our servers see your IP address
and your browser's identification (its user agent) with each request; they are not stored with
anything you read.</p>
<p>To stop abuse, the site counts requests and form submissions per client (by IP address)
in windows of a few minutes, in memory. These counters expire by themselves within the
hour.</p>
<p>If an editor sends you a link to preview a story before it is published, we note each time
it is opened, with your browser's identification and a keyed hash of your IP address (not
the address itself), so that the editors see whether and how often it was used. These notes
are kept as long as the link is.</p>

<h2>Read counts</h2>
<p>We count how often each story is read, to show the most read stories. The count is kept per
story and hour, with nothing about who read it. So that one reader's reloads count once, a
read leaves a marker for the day: a keyed hash of the network address, the browser's
identification and the story, under a random key made each day. The key and every marker are
deleted at midnight UTC, after which no one, us included, can tell whose read a marker was.
Known robots are not counted. A small script on the story page sends the count once the page
is shown; without JavaScript nothing is counted. Per-story hourly counts are kept without
limit.</p>

<h2>Reviews</h2>
<p>When you send a review we keep what you wrote in the form (your name, your email address
and your review), the time, your browser's identification, and a keyed hash of your IP
address (to spot repeated abuse; the address itself is not kept). Only your name and your
review are ever shown, and only once a moderator approved the review. Your email address is
never shown. We keep a review and everything stored with it until it is deleted.</p>
<p>If you ask to be told when your review is published, we send one email to confirm the
address, and one when the review is published. Every such email has a link to stop them; we
then keep a one-way hash of the address, only to remember not to write to it again.</p>
<p>The review form and the email confirmation page set one cookie, <code>csrftoken</code>,
which protects the form against forgery and says nothing about you.</p>

<h2>Newsletters</h2>
<p>If you subscribe to a newsletter we keep your email address, the lists and frequency you
chose, and when you confirmed. An address that is not confirmed within 7 days is deleted; a
confirmed address is kept while you are subscribed, and unsubscribing deletes it. For 30 days
after each newsletter is sent we keep whether it reached each subscriber (with any error the
receiving mail server gave), so that the editors can see delivery problems; then only the
totals remain. Every newsletter has a link to change your choices and a link to unsubscribe
at once. If you answer a confirmation email you did not ask for with "never send anything to
this address again", we keep a one-way hash of the address, only to remember not to write to
it.</p>

<h2>Erasing your data</h2>
<p>To see what we keep about you, or to have a review, your email address or anything else
erased, write to the editors (the Contact page says how). We delete a review with
everything stored with it; the newsletters' unsubscribe link deletes your address
yourself.</p>
"""


def privacy_body() -> str:
    """Return the page's text: the HTML comments are for whoever edits this file."""
    lines = [line for line in BODY.strip().splitlines() if not line.startswith("<!--")]
    return "\n".join(lines)


def create(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    Page.objects.using(schema_editor.connection.alias).get_or_create(
        slug=SLUG, defaults={"title": "Privacy", "body": privacy_body(), "position": 3}
    )


def delete(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    Page.objects.using(schema_editor.connection.alias).filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_roles")]

    operations = [migrations.RunPython(create, delete)]

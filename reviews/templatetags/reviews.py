"""Template tags that attach reviews to a story page and the queue state to the admin index.

The articles app never imports reviews: its story template loads this library and calls
``{% reviews_for article %}``, as django-contrib-comments attaches to any object.
"""

from datetime import timedelta
from html import escape

from django import forms, template
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import BigIntegerField, Count, Min, Q
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from articles.templatetags.articles_tags import news_timestamps
from newsroom.compiled import CompiledPages, CompiledQuery, Param
from reviews.forms import ReviewForm
from reviews.models import PAGE_PARAMETER, Review
from reviews.moderation import Moderator
from reviews.views import MESSAGE_TAG

register = template.Library()


def _story() -> Param:
    return Param("story", BigIntegerField())


# Compiled once (newsroom.compiled): every uncached story page runs both.
STORY_REVIEWS = CompiledQuery(
    lambda: Review.objects.for_story_page(_story()).values_list(
        "pk", "name", "body", "created_at", "reply"
    )
)
STORY_REVIEW_COUNT = CompiledQuery(
    lambda: (
        Review.objects.for_story_page(_story())
        .order_by()
        .values("article")
        .annotate(count=Count("*"))
        .values_list("count")
    )
)


@register.inclusion_tag("reviews/includes/_story_reviews.html", takes_context=True)
def reviews_for(context, article):
    """Render the approved reviews of *article* and the "Leave a review" form.

    Runs the same queries whatever the number of reviews: the rules row, the count and one
    page of reviews (none for the page when there are no reviews).
    """
    request = context.get("request")
    moderator = Moderator()
    reviews = CompiledPages(STORY_REVIEWS, STORY_REVIEW_COUNT, story=article.pk)
    paginator = Paginator(reviews, settings.REVIEWS_PER_PAGE)
    page = paginator.get_page(request.GET.get(PAGE_PARAMETER) if request else None)
    now = timezone.now()
    story_open = moderator.story_open(article, now=now)
    # A site-wide pause (read-only switch, quiet hours) only matters while the story is open.
    pause = moderator.pause(now=now) if story_open else None
    is_open = story_open and pause is None
    form = None
    if is_open:
        form = context.get("review_form")
        if form is None or form.article.pk != article.pk:
            form = ReviewForm(article=article)
    return {
        "article": article,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "page": page,
        "review_items": review_list_items(page.object_list),
        "paginator": paginator,
        "page_parameter": PAGE_PARAMETER,
        "is_open": is_open,
        "pause": pause,
        "closes_at": moderator.closes_at(article) if is_open else None,
        "review_form": form,
        "review_messages": review_messages(request),
    }


# One review in the list. Fifty a page made the template's per-row tags, filters and the
# "Review by" translation the largest part of the story page's cost, so the rows are built
# here, each value escaped as the template would (_story_reviews.html keeps the list around
# them). The time is what {% timestamp %} renders, the texts what |linebreaksbr does.
REVIEW_MARKUP = """<li class="review" id="review-{pk}">
  <article aria-label="{label}">
    <p class="review-meta">
      <strong class="review-name">{name}</strong>
      {time}
    </p>
    <p class="review-body">{body}</p>
{reply}  </article>
</li>
"""
REPLY_MARKUP = """    <div class="review-reply">
      <p class="review-reply-label">{label}</p>
      <p>{reply}</p>
    </div>
"""


def review_list_items(rows) -> str:
    """Return the ``<li>`` of each review in *rows* (pk, name, body, created_at, reply)."""
    review_by = gettext("Review by %(name)s")
    reply_label = conditional_escape(gettext("Reply from the newsroom"))
    timestamp = news_timestamps()
    items = []
    for pk, name, body, created_at, reply in rows:
        name = escape(name)
        items.append(
            REVIEW_MARKUP.format(
                pk=pk,
                label=review_by % {"name": name},
                name=name,
                time=timestamp(created_at),
                body=text_with_breaks(body),
                reply=REPLY_MARKUP.format(label=reply_label, reply=text_with_breaks(reply))
                if reply
                else "",
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


def text_with_breaks(text: str) -> str:
    """Return plain *text* escaped, its line breaks as ``<br>``: what ``|linebreaksbr`` does."""
    return escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def review_messages(request) -> list:
    """Return this request's messages about reviews; leave the others for the page."""
    if request is None:
        return []
    return [
        message
        for message in messages.get_messages(request)
        if MESSAGE_TAG in message.extra_tags.split()
    ]


@register.inclusion_tag("reviews/includes/_form.html", takes_context=True)
def review_form(context, form):
    """Render a bound or fresh review form (used by the story page and the 429 page)."""
    return {"review_form": form, "article": form.article, "csrf_token": context.get("csrf_token")}


@register.simple_tag
def field_widget(field):
    """Render a bound field's control as ``{{ field }}`` does, without the widget templates.

    Django renders each widget through two templates (``input.html`` including
    ``attrs.html``); on the story page, which shows the form on every view, that was the
    largest part of the form's cost. The attributes still come from the form and Django's
    BoundField (required, aria-invalid, aria-describedby, the id); only the markup around them
    is written here, for the widgets the review form uses. Any other widget renders as usual.
    """
    widget = field.field.widget
    extra = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        extra.setdefault("id", field.auto_id)
    value = field.value()
    if isinstance(widget, forms.CheckboxInput):
        if widget.check_test(value):
            extra["checked"] = True
        value = widget.format_value(value)
    elif isinstance(
        widget, forms.Textarea | forms.TextInput | forms.EmailInput | forms.HiddenInput
    ):
        value = widget.format_value(value)
    else:
        return field.as_widget()
    attrs = html_attributes(widget.build_attrs(widget.attrs, extra))
    if isinstance(widget, forms.Textarea):
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>', field.html_name, attrs, value or ""
        )
    value_attr = format_html(' value="{}"', value) if value is not None else ""
    return format_html(
        '<input type="{}" name="{}"{}{}>', widget.input_type, field.html_name, value_attr, attrs
    )


def html_attributes(attrs: dict) -> str:
    """Write *attrs* as Django's ``attrs.html`` does: in order, True bare, False left out."""
    return mark_safe(  # noqa: S308 - every name and value is escaped
        "".join(
            f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


@register.inclusion_tag("reviews/admin/_queue_summary.html", takes_context=True)
def review_queue_summary(context):
    """Render the moderation queue's state for the admin index, in one query."""
    request = context.get("request")
    if request is None or not request.user.has_perm("reviews.view_review"):
        return {"show": False}
    now = timezone.now()
    since = now - timedelta(days=7)
    recent = Q(moderated_at__gte=since)
    pending = Q(status=Review.Status.PENDING)
    figures = Review.objects.filter(pending | recent).aggregate(
        pending=Count("pk", filter=pending),
        oldest=Min("created_at", filter=pending),
        approved=Count("pk", filter=recent & Q(status=Review.Status.APPROVED)),
        rejected=Count("pk", filter=recent & Q(status=Review.Status.REJECTED)),
        spam=Count("pk", filter=recent & Q(status=Review.Status.SPAM)),
    )
    return {"show": True, "now": now, **figures}

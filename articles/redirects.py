"""Links that never break: permanent redirects from the old addresses of renamed pages.

* :func:`redirect_record_move` stores "old path → new path" and collapses chains, so that
  A→B then B→C leaves A→C and B→C, and renaming back (A→B→A) never loops.
* :func:`connect_slug_redirects` (called from ``ArticlesConfig.ready()``) records a move when
  the slug of a public story, a region, rubric, tag or author changes. A signal, not ``save()``:
  it writes another table, and a slug changed by any path (admin, shell, service) counts.
* :class:`RedirectFallbackMiddleware` answers 301 only where the site would answer 404, so
  normal pages never pay for a lookup. A redirect also covers the pages below its old path
  (``/regions/old/feed/`` follows ``/regions/old/`` → ``/regions/new/``).
* A redirect only ever leads to a page the public may see (:func:`target_state`): while its
  story is not public (unpublished, or renamed and unpublished in one save), the old address
  answers 410 and names nothing; it redirects again once the story is published. A redirect
  to a tag or author page waits likewise until a public story uses them.
"""

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.http import HttpResponseGone, HttpResponsePermanentRedirect
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.encoding import iri_to_uri
from taggit.models import Tag

from articles.models import Article, Author, Redirect, in_public_use
from articles.seo import public_path
from serving.languages import in_language, language_of_path, without_language

SLUG_MODELS = (
    "articles.Article",
    "articles.Region",
    "articles.Rubric",
    "articles.Author",
    "taggit.Tag",
)


def redirect_record_move(*, old_path: str, new_path: str) -> None:
    """Make *old_path* answer a permanent redirect to *new_path*, collapsing any chain."""
    if not old_path or old_path == new_path:
        return
    with transaction.atomic():
        # The new address is live again: a redirect away from it would never be reached and
        # would only confuse the admin list.
        Redirect.objects.filter(old_path=new_path).delete()
        # Whatever led to the old address now leads straight to the new one (A→B→C ⇒ A→C).
        Redirect.objects.filter(new_path=old_path).update(new_path=new_path)
        Redirect.objects.update_or_create(old_path=old_path, defaults={"new_path": new_path})


def _remember_old_path(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    if previous is None or previous.slug == instance.slug:
        return
    # A story that never was public had no address anyone could have linked to.
    if hasattr(previous, "is_published") and not previous.is_published():
        return
    instance._redirect_from_path = public_path(previous)


def _record_move(sender, instance, raw=False, **kwargs):
    old_path = instance.__dict__.pop("_redirect_from_path", None)
    if raw or not old_path:
        return
    redirect_record_move(old_path=old_path, new_path=public_path(instance))


def connect_slug_redirects() -> None:
    """Connect the receivers that turn slug changes into redirects."""
    for label in SLUG_MODELS:
        model = apps.get_model(label)
        uid = f"articles.redirects:{label}"
        pre_save.connect(_remember_old_path, sender=model, dispatch_uid=f"{uid}:pre")
        post_save.connect(_record_move, sender=model, dispatch_uid=f"{uid}:post")


def candidate_paths(path: str) -> list[str]:
    """Return *path* and the folder paths above it, longest first, without the root."""
    candidates = [path]
    trimmed = path.rstrip("/")
    while "/" in trimmed:
        trimmed = trimmed.rsplit("/", 1)[0]
        if trimmed:
            candidates.append(trimmed + "/")
    return candidates


def find_redirect(path: str) -> str | None:
    """Return where *path* has moved to, or ``None``: one query (two under a prefix).

    A move recorded for a page of every language (an author's page, a tag's) holds for its
    pages under each language's prefix too: ``/ru/authors/old/`` follows ``/authors/old/`` to
    ``/ru/authors/new/``.
    """
    if "\x00" in path:
        # No stored path holds a NUL byte, and PostgreSQL refuses one in a query.
        return None
    target = _find_redirect(path)
    language = language_of_path(path)
    if target is None and language is not None:
        target = _find_redirect(without_language(path))
        if target is not None and target.startswith("/") and language_of_path(target) is None:
            target = in_language(target, language)
    return target


def _find_redirect(path: str) -> str | None:
    candidates = candidate_paths(path)
    moves = dict(
        Redirect.objects.filter(old_path__in=candidates).values_list("old_path", "new_path")
    )
    for candidate in candidates:
        if candidate in moves:
            target = moves[candidate]
            rest = path[len(candidate) :]
            if rest and not target.endswith("/"):
                target += "/"
            return target + rest
    return None


PUBLIC = "public"
GONE = "gone"
MISSING = "missing"
# Pages that exist for the public only while a public story uses their tag or author.
IN_PUBLIC_USE = {
    "articles:tag": (Tag, "tags"),
    "articles:tag-feed": (Tag, "tags"),
    "articles:tag-feed-atom": (Tag, "tags"),
    "articles:author": (Author, "authors"),
    "articles:author-feed": (Author, "authors"),
    "articles:author-feed-atom": (Author, "authors"),
}


def target_state(target: str) -> str:
    """Return whether the public may follow a redirect to *target*: public, gone or missing.

    Gone: a story that exists but is not public (it was, when the redirect was recorded).
    """
    if target.startswith(("http://", "https://")):
        return PUBLIC
    path = target.split("?", 1)[0]
    try:
        with translation.override(language_of_path(path) or settings.LANGUAGE_CODE):
            match = resolve(path)
    except Resolver404:
        return MISSING
    slug = match.kwargs.get("slug")
    if match.view_name == "articles:detail":
        stories = Article.objects.filter(slug=slug)
        if stories.published().exists():
            return PUBLIC
        return GONE if stories.exists() else MISSING
    if match.view_name in IN_PUBLIC_USE:
        model, relation = IN_PUBLIC_USE[match.view_name]
        used = in_public_use(model.objects.filter(slug=slug), relation).exists()
        return PUBLIC if used else MISSING
    return PUBLIC


class RedirectFallbackMiddleware:
    """Turn a 404 into a 301 when the path (or a folder above it) has moved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = find_redirect(request.path)
        if target is None or target == request.path:
            return response
        state = target_state(target)
        if state == MISSING:
            return response
        if state == GONE:
            return HttpResponseGone(loader.render_to_string("410.html", request=request))
        query = request.META.get("QUERY_STRING", "")
        if query:
            target = f"{target}?{iri_to_uri(query)}"
        return HttpResponsePermanentRedirect(target)

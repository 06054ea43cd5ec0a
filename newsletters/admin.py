"""The newsletter in the admin: sends with their figures, the lists, subscribers, alerts.

- *Newsletters › Newsletter sends* (editors): every digest edition and alert with its
  recipients, delivered, failed, skipped and interrupted emails, and above the list how many
  confirmed subscribers each list has (everything, each region, rubric and author, daily,
  weekly, breaking news, each language; a region's or rubric's with its language). A digest
  edition goes to every language's subscribers, an alert to its story's language's only.
  "Stop selected sends" stops one mid-way (audited).
- *Newsletters › Subscribers* (superusers only: addresses are personal data): search an
  address to erase it on request; deletions are audited by subscriber number, not address.
- The story list gets "Send as breaking-news alert" for editors (audited). The story admin is
  registered again around whatever admin the story apps registered, as ``editorial`` does,
  so that it adds one action and changes nothing else: an alert is a send of this app, and
  ``articles`` knows nothing of newsletters (no "breaking" flag on the story).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Author, Region, Rubric
from audit.admin import AuditedDeletionsMixin
from newsletters import services
from newsletters.models import Send, Subscriber
from serving.languages import language_codes, language_name


def list_counts() -> dict:
    """Return confirmed subscribers per list: overall, by frequency, per language and per
    topic (a region or rubric is one language's row: its language is shown)."""
    confirmed = Subscriber.objects.confirmed()
    by_language = dict(
        confirmed.values("language").annotate(count=Count("pk")).values_list("language", "count")
    )
    totals = confirmed.aggregate(
        total=Count("pk"),
        daily=Count("pk", filter=Q(frequency=Subscriber.Frequency.DAILY)),
        weekly=Count("pk", filter=Q(frequency=Subscriber.Frequency.WEEKLY)),
        everything=Count("pk", filter=Q(everything=True)),
        breaking=Count("pk", filter=Q(breaking=True)),
    )
    topics = []
    for label, name, column, model in (
        (_("Region"), "regions", "region_id", Region),
        (_("Rubric"), "rubrics", "rubric_id", Rubric),
        (_("Author"), "authors", "author_id", Author),
    ):
        through = getattr(Subscriber, name).through
        counts = dict(
            through.objects.filter(subscriber__status=Subscriber.Status.CONFIRMED)
            .values(column)
            .annotate(count=Count("pk"))
            .values_list(column, "count")
        )
        rows = model.objects.all() if model is not Author else model.objects.filter(pk__in=counts)
        topics += [
            (label, str(row), language_name(getattr(row, "language", "")), counts.get(row.pk, 0))
            for row in rows
        ]
    return {
        **totals,
        "languages": [(language_name(code), by_language.get(code, 0)) for code in language_codes()],
        "waiting": Subscriber.objects.filter(status=Subscriber.Status.UNCONFIRMED).count(),
        "topics": topics,
    }


@admin.register(Send)
class SendAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "status",
        "recipients",
        "delivered",
        "failed",
        "skipped",
        "unknown",
        "created_at",
        "finished_at",
    )
    list_filter = ("kind", "status")
    date_hierarchy = "created_at"
    actions = ("stop_selected",)
    change_list_template = "newsletters/admin/send_change_list.html"
    fields = (
        "kind",
        "edition",
        "subject",
        "article",
        "window_start",
        "window_end",
        "status",
        "note",
        "recipients",
        "delivered",
        "failed",
        "skipped",
        "unknown",
        "created_at",
        "created_by",
        "finished_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        # Digests start on their schedule, alerts from the story list.
        return False

    def has_change_permission(self, request, obj=None):
        # A send's page only shows it; "change" is the permission to stop one.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def changelist_view(self, request, extra_context=None):
        extra_context = {"lists": list_counts(), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Stop selected sends"), permissions=["change"])
    def stop_selected(self, request, queryset):
        stopped = sum(
            services.send_stop(send=send, by=request.user)
            for send in queryset.filter(status=Send.Status.SENDING)
        )
        self.message_user(
            request,
            gettext("%(count)d sends stopped.") % {"count": stopped},
            messages.SUCCESS if stopped else messages.WARNING,
        )


@admin.register(Subscriber)
class SubscriberAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    list_display = (
        "email",
        "status",
        "language",
        "frequency",
        "everything",
        "breaking",
        "created_at",
    )
    list_filter = ("status", "language", "frequency", "everything", "breaking")
    search_fields = ("email",)
    fields = (
        "email",
        "status",
        "language",
        "frequency",
        "everything",
        "regions",
        "rubrics",
        "authors",
        "breaking",
        "created_at",
        "confirmed_at",
    )
    readonly_fields = fields

    # Addresses are personal data: only superusers see them, to erase one on request.
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        # Only the reader subscribes, through the double opt-in.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# -- "Send as breaking-news alert" on the story list -------------------------------------------

StoryAdmin = type(admin.site.get_model_admin(Article))


class NewsletterStoryAdmin(StoryAdmin):
    actions = (*StoryAdmin.actions, "send_alert")

    @admin.action(description=_("Send as breaking-news alert"), permissions=["publish"])
    def send_alert(self, request, queryset):
        """Ask for confirmation (recipients counted), then send one story as an alert."""
        stories = list(queryset[:2])
        if len(stories) != 1:
            self.message_user(
                request, gettext("Choose exactly one story to send as an alert."), messages.ERROR
            )
            return None
        story = stories[0]
        if request.POST.get("post") == "yes":
            try:
                send = services.alert_send(article=story, by=request.user)
            except services.AlertRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return None
            self.message_user(
                request,
                gettext("The alert is on its way to %(count)d subscribers.")
                % {"count": send.recipients},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Send a breaking-news alert"),
            "story": story,
            "public": Article.objects.published().filter(pk=story.pk).exists(),
            "sent_before": Send.objects.filter(kind=Send.Kind.ALERT, article=story).first(),
            # Those of the story's language only (SubscriberQuerySet.recipients_of).
            "recipients": Subscriber.objects.confirmed()
            .filter(breaking=True, language=story.language)
            .count(),
            "language": language_name(story.language),
            "action_name": "send_alert",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "newsletters/admin/alert_confirm.html", context)


admin.site.unregister(Article)
admin.site.register(Article, NewsletterStoryAdmin)

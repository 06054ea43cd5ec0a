"""The admin index's editorial summaries: the desk (my stories, the review queue), and the
schedule's state (upcoming stories and the schedule check)."""

from django import template
from django.db.models import Count, Min

from editorial import dashboard, schedule

register = template.Library()


@register.inclusion_tag("editorial/admin/_schedule_summary.html", takes_context=True)
def schedule_summary(context):
    """Render the number of scheduled stories and of schedule problems, for editors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_superuser or user.has_perm("articles.edit_any_article")):
        return {"show": False}
    figures = schedule.upcoming().aggregate(upcoming=Count("pk"), next_at=Min("next_change_at"))
    return {"show": True, "problems": len(schedule.find_problems()), **figures}


@register.inclusion_tag("editorial/admin/_desk.html", takes_context=True)
def story_desk(context):
    """Render the person's own stories by state and, for editors, the review queue."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.is_staff:
        return {"desk": None}
    return {"desk": dashboard.story_desk(user)}

"""The team in the admin: Django's user admin, with what administrators may do enforced.

Superusers keep Django's whole user admin. Administrators (the role made by
``accounts/migrations/0001_administrators.py``) have ``add_user`` and ``change_user``, which
in Django's admin would let them make anyone a superuser; here, on the server, whatever the
browser sends:

- their form has username, name, address, the Active switch and the roles, nothing else: no
  superuser or staff flag, no single permissions, no password;
- the roles offered are the newsroom's (``accounts.roles``); other groups an account is in
  are kept as they are;
- superusers' accounts are not there for them: not in the list, 404 on every page of one;
- an account with rights no role gives (another group, single permissions) keeps its email
  address: password resets go there, so changing it would take the account over;
- nobody but a superuser sets someone's password: new people get an invitation, others use
  "Forgotten your password?" on the login page.

Adding an account is inviting someone: no password, a role or more, and an email with a link
that sets the password (``accounts.mail``). Deactivating (the Active switch, or the bulk
action) logs the person out everywhere; nobody deletes accounts but superusers, so names stay
on stories and in the audit log. Every invitation, role change and (de)activation is audited.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.forms import InviteForm, SuperuserChangeForm, TeamMemberForm
from accounts.mail import invitation_pending
from accounts.roles import ROLES, has_rights_beyond_roles, role_groups

admin.site.unregister(User)


def names(items) -> list[str]:
    return sorted(str(item) for item in items)


def added_and_removed(before, after) -> dict | None:
    before, after = set(before), set(after)
    if before == after:
        return None
    return {"added": names(after - before), "removed": names(before - after)}


@admin.register(User)
class TeamUserAdmin(UserAdmin):
    add_form = InviteForm
    add_form_template = "admin/auth/user/invite_form.html"
    add_fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "groups")}),
    )
    # What administrators see (and editors, read-only, to link author profiles).
    team_fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("is_active", "groups", "status")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ("username", "full_name", "email", "roles", "status", "last_login")
    actions = ("deactivate_selected", "invite_again")

    # -- Who sees which accounts ---------------------------------------------------------

    def get_queryset(self, request):
        users = super().get_queryset(request).prefetch_related("groups")
        if request.user.is_superuser:
            return users
        return users.exclude(is_superuser=True)

    def get_object(self, request, object_id, from_field=None):
        user = super().get_object(request, object_id, from_field)
        if user is None:
            # A superuser's account is "not found" for others, like a missing one, rather than
            # the admin's redirect: no id is confirmed.
            raise Http404(gettext("No such account."))
        return user

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    # -- The forms -----------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.team_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        if obj is not None and has_rights_beyond_roles(obj):
            # Password resets go to this address: whoever could change it could log in as
            # the account, with rights that only a superuser hands out.
            return ("email", "status", "last_login", "date_joined")
        return ("status", "last_login", "date_joined")

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return super().get_list_filter(request)
        return ("is_active", "groups")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InviteForm
        elif request.user.is_superuser:
            kwargs["form"] = SuperuserChangeForm
        else:
            kwargs["form"] = TeamMemberForm
        form = super().get_form(request, obj, **kwargs)
        # A class made for this request (modelform_factory), so this is the request's own.
        form.acting_user = request.user
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "is_active":
            kwargs["label"] = _("Active")
            kwargs["help_text"] = _(
                "Untick to deactivate the account: the person is logged out at once and can "
                "no longer log in. Nothing is deleted: their name stays on their stories and "
                "in the history, and the account can be made active again."
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            if not request.user.is_superuser:
                kwargs["queryset"] = role_groups()
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["label"] = _("Roles")
            kwargs["help_text"] = _(
                "Authors write stories; Editors publish and run the site; Moderators work "
                "the review queue; Administrators manage the team."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        extra = {
            "title": gettext("Invite a team member"),
            "invitation_days": settings.NEWSROOM_INVITATION_DAYS,
        }
        return super().add_view(request, form_url, {**extra, **(extra_context or {})})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["invitation_pending"] = obj is not None and invitation_pending(obj)
        context["invitation_days"] = settings.NEWSROOM_INVITATION_DAYS
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- Saving: invitations, the Active switch, roles -----------------------------------

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            services.user_active_changed(user=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = list(form.initial.get("groups") or []) if change else []
        super().save_related(request, form, formsets, change)
        if not change:
            services.user_invite(user=user, by=request.user)
            return
        if not request.user.is_superuser:
            # The form offers only the roles; other groups stay as a superuser left them.
            kept = [group for group in before if group.name not in ROLES]
            if kept:
                user.groups.add(*kept)
        changes = self.access_changes(form, before, Group.objects.filter(user=user))
        if changes:
            services.user_access_changed(user=user, by=request.user, changes=changes)

    @staticmethod
    def access_changes(form, groups_before, groups_after) -> dict:
        """Return what a saved form changed in an account's rights, for the audit log."""
        changes = {}
        roles = added_and_removed(groups_before, groups_after)
        if roles:
            changes["roles"] = roles
        for field, name in (("is_superuser", "superuser"), ("is_staff", "staff")):
            if field in form.changed_data:
                changes[name] = {
                    "from": bool(form.initial.get(field)),
                    "to": form.cleaned_data[field],
                }
        if "user_permissions" in form.changed_data:
            permissions = added_and_removed(
                form.initial.get("user_permissions") or [],
                form.cleaned_data["user_permissions"],
            )
            if permissions:
                changes["permissions"] = permissions
        return changes

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            gettext(
                "An invitation is on its way to %(email)s. Its link sets the password and "
                "works for %(days)d days."
            )
            % {"email": obj.email, "days": settings.NEWSROOM_INVITATION_DAYS},
            messages.SUCCESS,
        )
        return super().response_add(request, obj, post_url_continue)

    # -- Columns ------------------------------------------------------------------------

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(names(obj.groups.all()))

    @admin.display(description=_("status"))
    def status(self, obj):
        if not obj.is_active:
            return gettext("Deactivated")
        if invitation_pending(obj):
            return gettext("Invited: no password set yet")
        return gettext("Active")

    # -- Actions and the "Send invitation again" button ----------------------------------

    @admin.action(
        description=_("Deactivate selected %(verbose_name_plural)s"), permissions=["change"]
    )
    def deactivate_selected(self, request, queryset):
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(
                request,
                gettext("Your own account was left active: ask another administrator."),
                messages.WARNING,
            )
        deactivated = services.users_deactivate(users=queryset, by=request.user)
        if deactivated:
            self.message_user(
                request,
                ngettext(
                    "%(count)d account deactivated; its owner was logged out.",
                    "%(count)d accounts deactivated; their owners were logged out.",
                    len(deactivated),
                )
                % {"count": len(deactivated)},
                messages.SUCCESS,
            )

    @admin.action(description=_("Send the invitation again"), permissions=["change"])
    def invite_again(self, request, queryset):
        users = list(queryset)
        invited = services.users_invite_again(users=users, by=request.user)
        if invited:
            self.message_user(
                request,
                ngettext(
                    "A new invitation is on its way to %(count)d person.",
                    "New invitations are on their way to %(count)d people.",
                    len(invited),
                )
                % {"count": len(invited)},
                messages.SUCCESS,
            )
        skipped = len(users) - len(invited)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d account got no invitation: it has a password already, is "
                    "deactivated or has no email address. Someone who forgot their password "
                    "uses “Forgotten your password?” on the login page.",
                    "%(count)d accounts got no invitation: they have a password already, are "
                    "deactivated or have no email address. Someone who forgot their password "
                    "uses “Forgotten your password?” on the login page.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/invite-again/",
                self.admin_site.admin_view(self.invite_again_view),
                name="auth_user_invite_again",
            ),
            *super().get_urls(),
        ]

    def invite_again_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        user = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        self.invite_again(request, self.get_queryset(request).filter(pk=user.pk))
        return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))

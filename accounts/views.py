"""The pages of the admin login's side door: set a password from an invitation, or reset it.

They live under ``/admin/`` (never in the page cache), look like the admin (its templates
and header), need no login and are never cached.

"Forgotten your password?" does the same for every address, known or not: it checks that
the form holds an email address, queues one task with it, and sends everyone to the same
page. Whether the address belongs to an account, and the email, are the worker's business
(``accounts.tasks.send_password_reset``); the answer, and how long it takes, cannot tell.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts import limits
from accounts.tasks import send_password_reset
from accounts.tokens import invitation_token_generator
from audit import log


class AdminPageMixin:
    """Give the page the admin's header and title, as the admin's own pages have them."""

    @method_decorator(never_cache)
    def dispatch(self, *args, **kwargs):
        return super().dispatch(*args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class PasswordResetView(AdminPageMixin, auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("admin_password_reset_done")

    def post(self, request, *args, **kwargs):
        limit = limits.hit(limits.client_of(request))
        if not limit.allowed:
            minutes = max(1, -(-limit.retry_after // 60))
            context = self.get_context_data(form=self.get_form(), retry_minutes=minutes)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(limit.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # The same for every address: one task queued; the worker finds the accounts.
        send_password_reset.enqueue(form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(AdminPageMixin, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class SetPasswordView(AdminPageMixin, auth_views.PasswordResetConfirmView):
    """Set a password from an emailed link: a deactivated account's links do nothing."""

    audit_action = log.Action.PASSWORD_RESET

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        log.record(self.audit_action, actor=form.user, obj=form.user)
        return response


class PasswordResetConfirmView(SetPasswordView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("admin_password_reset_complete")


class PasswordResetCompleteView(AdminPageMixin, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class WelcomeView(SetPasswordView):
    """An invited person's first password; then the login page (no automatic login)."""

    audit_action = log.Action.INVITATION_ACCEPTED
    token_generator = invitation_token_generator
    template_name = "accounts/welcome.html"
    success_url = reverse_lazy("admin:login")
    title = _("Welcome: choose your password")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitation_days"] = settings.NEWSROOM_INVITATION_DAYS
        if not self.validlink:
            context["title"] = _("This invitation link can no longer be used")
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            gettext("Your password is set. Log in with your username, %(username)s.")
            % {"username": form.user.get_username()},
        )
        return response

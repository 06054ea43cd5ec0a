"""The user admin's forms: invite a team member, change one, and the reset request.

The fields a form has are all that a save can change: the administrators' form has no
superuser flag, no single permissions and no password, so nothing posted can set them.
The roles field (``groups``) offers only the newsroom's roles to them (``accounts.admin``).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserChangeForm, UsernameField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

User = get_user_model()


class TeamFormMixin:
    """Rules every user form of the admin keeps, whoever saves it.

    ``acting_user`` is set by the admin on the form class it builds for a request.
    """

    acting_user = None

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if (
            username
            and User._default_manager.filter(username__iexact=username)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise ValidationError(_("Another account already has this username."), code="unique")
        return username

    def clean_email(self):
        email = User._default_manager.normalize_email(self.cleaned_data.get("email") or "")
        # Only a new or changed address is checked: accounts that shared one before this
        # rule can still be saved.
        if (
            email
            and "email" in self.changed_data
            and User._default_manager.filter(email__iexact=email)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise ValidationError(_("Another account already uses this address."), code="unique")
        return email

    def clean_is_active(self):
        active = self.cleaned_data.get("is_active")
        acting = self.acting_user
        if not active and acting is not None and self.instance.pk == acting.pk:
            raise ValidationError(
                _("You cannot deactivate your own account: ask another administrator."),
                code="self",
            )
        return active


class InviteForm(TeamFormMixin, forms.ModelForm):
    """Invite a team member: an account with no password yet, and an email to set one."""

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The invitation goes here; so do password resets later."),
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "groups")
        field_classes = {"username": UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            self.fields["groups"].required = True

    def save(self, commit=True):
        user = super().save(commit=False)
        # Nobody knows a password for the account until its owner sets one from the link.
        user.set_unusable_password()
        user.is_staff = True
        if commit:
            user.save()
            self.save_m2m()
        return user


class TeamMemberForm(TeamFormMixin, forms.ModelForm):
    """What an administrator changes: name, address, username, the Active switch and roles."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "is_active", "groups")
        field_classes = {"username": UsernameField}


class SuperuserChangeForm(TeamFormMixin, UserChangeForm):
    """Django's own user form, for superusers, with the team's rules."""

"""Admin widgets that survive what a hand-made request can post."""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class ValidValuesOnly:
    """Redraw an autocomplete with only the posted values that can be ids.

    The form refuses "abc" for a foreign key with its usual message, but Django's
    autocomplete looks the posted values up again to draw the form, and a value of the wrong
    type would make that query fail: a server error instead of the message.
    """

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field
        options = target.model._meta
        field_name = getattr(target, "field_name", None)
        field = options.get_field(field_name) if field_name else options.pk
        valid = []
        for item in value:
            try:
                # The validators know the database's range: a 20-digit id is no id either.
                field.run_validators(field.to_python(item))
            except ValidationError:
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(ValidValuesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidValuesOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """Use the autocompletes above for a model admin's ``autocomplete_fields``."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

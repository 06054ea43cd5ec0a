from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class EmbedsConfig(AppConfig):
    name = "embeds"
    verbose_name = _("Embedded media")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from embeds.models import Embed
        from embeds.services import delete_thumbnail_files

        # A deleted embed, from the admin or a bulk delete, takes its copied thumbnail along.
        post_delete.connect(
            lambda sender, instance, **kwargs: delete_thumbnail_files(instance),
            sender=Embed,
            weak=False,
            dispatch_uid="embeds.delete_thumbnail_files",
        )

from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class ImagesConfig(AppConfig):
    name = "images"
    verbose_name = _("Image library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from images.models import Image
        from images.services import delete_image_files

        # A deleted image, from the admin, a bulk action or a script, takes its files along.
        post_delete.connect(
            lambda sender, instance, **kwargs: delete_image_files(instance),
            sender=Image,
            weak=False,
            dispatch_uid="images.delete_image_files",
        )

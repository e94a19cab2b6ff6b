from django.apps import AppConfig


class Config(AppConfig):
    name = "learnsurvey.web.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .language import connect_signals

        connect_signals()

from django.apps import AppConfig


class Config(AppConfig):
    name = "learnsurvey.web.waves"
    label = "waves"
    default_auto_field = "django.db.models.BigAutoField"

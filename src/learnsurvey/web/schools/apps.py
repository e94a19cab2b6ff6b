from django.apps import AppConfig


class Config(AppConfig):
    name = "learnsurvey.web.schools"
    label = "schools"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class Config(AppConfig):
    name = "learnsurvey.web.pupil"
    label = "pupil"
    default_auto_field = "django.db.models.BigAutoField"

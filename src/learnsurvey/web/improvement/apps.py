from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "learnsurvey.web.improvement"
    label = "improvement"
    default_auto_field = "django.db.models.BigAutoField"

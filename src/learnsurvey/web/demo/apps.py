from django.apps import AppConfig


class Config(AppConfig):
    name = "learnsurvey.web.demo"
    label = "demo"

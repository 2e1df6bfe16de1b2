from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shuangying.people"
    label = "people"
    verbose_name = "人员与户籍"

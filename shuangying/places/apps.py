from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "shuangying.places"
    label = "places"
    verbose_name = "场所与场所码"

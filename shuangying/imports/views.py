from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class ImportListView(LoginRequiredMixin, TemplateView):
    template_name = "imports/import_list.html"

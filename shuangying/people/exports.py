"""Excel exports of the people ledgers (placeholder until the export module lands)."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.views import View


class PersonExportView(PermissionRequiredMixin, View):
    permission_required = "people.export_person"

    def get(self, request):
        raise Http404


class HouseholdExportView(PersonExportView):
    pass


class StaffSurveyExportView(PersonExportView):
    permission_required = "people.view_staffsurvey"

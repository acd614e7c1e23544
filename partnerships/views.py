from django.views.generic import DetailView, ListView

from partnerships.models import ActionPoint, Meeting, Organisation


class MeetingListView(ListView):
    model = Meeting


class MeetingDetailView(DetailView):
    model = Meeting


class ActionPointListView(ListView):
    model = ActionPoint


class OrganisationListView(ListView):
    model = Organisation


class OrganisationDetailView(DetailView):
    model = Organisation


def action_point_export(request):
    raise NotImplementedError

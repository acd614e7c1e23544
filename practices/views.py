from django.views.generic import DetailView, ListView

from practices.models import Practice, Sector


class PracticeListView(ListView):
    model = Practice


class PracticeDetailView(DetailView):
    model = Practice


class SectorDetailView(DetailView):
    model = Sector


def practice_export(request):
    raise NotImplementedError

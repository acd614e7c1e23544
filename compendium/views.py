from django.http import HttpResponse


def home(request):
    return HttpResponse("home")


def about(request):
    return HttpResponse("about")


def site_search(request):
    return HttpResponse("search")


def healthz(request):
    return HttpResponse("ok")


def page_not_found(request, exception=None):
    return HttpResponse("not found", status=404)


def server_error(request):
    return HttpResponse("error", status=500)

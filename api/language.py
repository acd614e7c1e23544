"""The API's ``lang`` parameter: the texts in one of the site's languages
(core.translation says which, and how an unknown one is answered)."""

from django.conf import settings
from django.utils import translation
from rest_framework.exceptions import ParseError

from core.translation import LANGUAGE_NAMES, LANGUAGE_UNKNOWN, language_named

LANG_PARAM = "lang"
API_LANGUAGES = LANGUAGE_NAMES
LANG_UNKNOWN = LANGUAGE_UNKNOWN


def requested_language(request):
    """The language ``request`` asks for with ``lang`` (English if it does not);
    ParseError (400) for one the site does not have."""
    value = request.query_params.get(LANG_PARAM)
    if value is None:
        return settings.LANGUAGE_CODE
    code = language_named(value)
    if code is None:
        raise ParseError(LANG_UNKNOWN)
    return code


class LanguageParam:
    """A view whose answer is in the language ``lang`` names (see
    ``core.translation``), and says so in Content-Language."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # For the rest of the request: the response is rendered after the view.
        translation.activate(requested_language(request))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code < 400:
            response["Content-Language"] = translation.get_language()
        return response

"""The API's ``lang`` parameter: the texts in one of the site's languages
(core.translation says which, and how an unknown one is answered)."""

from django.utils import translation
from rest_framework.exceptions import ParseError

from core.translation import LANG_PARAM, LANGUAGE_UNKNOWN, language_named


class LanguageParam:
    """A view whose answer is in the language ``lang`` names (see
    ``core.translation``), and says so in Content-Language; ParseError (400) for a
    language the site does not have."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        language = language_named(request.query_params.get(LANG_PARAM))
        if language is None:
            raise ParseError(LANGUAGE_UNKNOWN)
        # For the rest of the request: the response is rendered after the view.
        translation.activate(language)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code < 400:
            response["Content-Language"] = translation.get_language()
        return response

"""The static files' storage in production: whitenoise's compressed, hashed files, with each
file's URL worked out once per process."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Every page links a dozen static files, and each ``{% static %}`` looked its hashed name
    up in the manifest and joined the URL again (18 microseconds, issue 14). The manifest is
    read when the storage is made and does not change while the process serves, so the URL of
    a name is kept; with DEBUG (names hashed as they are asked for) or ``force`` it is not."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url

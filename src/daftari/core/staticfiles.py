"""Static files named by their content, so a browser on a slow link keeps them for a year."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class VersionedStaticFiles(CompressedManifestStaticFilesStorage):
    """``daftari.css`` is linked as ``daftari.<hash of its content>.css`` once ``daftari collectstatic``
    has written the manifest; whitenoise then answers it as immutable (cached for a year), and a new
    stylesheet gets a new name. Before collectstatic, or for a file it has not seen, the plain name,
    which whitenoise serves from the apps' static folders: a server never fails for want of it."""

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:  # no manifest yet, or a file not collected: the plain name
            return name

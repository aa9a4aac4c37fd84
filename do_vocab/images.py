"""One container-image reference and its one formatter: ``registry/repository@digest`` or ``...:tag``.

An image is pinned by digest when it has one (immutable; what promotion writes), by tag otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass


def image_reference(registry: str, repository: str, tag: str | None = None, digest: str | None = None) -> str:
    """``registry/repository@digest`` when a digest is known, ``registry/repository:tag`` otherwise; an empty
    ``registry`` leaves ``repository@digest`` (how a registry's own tools name its images)."""
    base = f"{registry}/{repository}" if registry else repository
    return f"{base}@{digest}" if digest else f"{base}:{tag}"


@dataclass(frozen=True)
class ImageRef:
    """A DigitalOcean Container Registry image."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def reference(self) -> str:
        return image_reference(self.registry, self.repository, self.tag, self.digest)

"""The HTTP API: `create_app(settings)` builds a Litestar app over the store and the engine."""

from service.api.app import create_app

__all__ = ["create_app"]

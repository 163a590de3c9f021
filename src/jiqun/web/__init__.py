"""The web observatory (网页与接口): FastAPI pages and REST API over :mod:`jiqun.query`.

Public API
----------
create_app
    The ASGI application serving one store (``jiqun serve``).
"""

from .app import create_app

__all__ = ["create_app"]

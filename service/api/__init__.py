"""The HTTP API: `service.api.app.create_app(settings)` builds a Litestar app over the store and
the engine. Nothing is imported here, so the console's modules (which the app serves) and the
API's can be imported in any order."""

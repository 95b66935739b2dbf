"""grantportal: 公益创投与政府购买服务信息平台. The app factory is ``grantportal.app.create_app``."""


def create_app(config=None):
    # Deferred import: every module imports this package first, and the app imports every domain, so a
    # top-level import here would load the whole site (and its cycles) for any single helper module.
    from grantportal.app import create_app as build  # noqa: PLC0415

    return build(config)
